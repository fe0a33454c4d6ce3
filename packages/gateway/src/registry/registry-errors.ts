/**
 * What the registry throws. Messages name resources by name and id only — never a secret value —
 * so callers may pass them on to clients and logs as they are. The server maps them to status
 * codes: invalid → INVALID_ARGUMENT, not found → NOT_FOUND, already exists → ALREADY_EXISTS,
 * in use → FAILED_PRECONDITION.
 */
export class RegistryError extends Error {
  override name = "RegistryError";
}

/** The request is malformed; `problems` lists every problem found, not just the first. */
export class RegistryValidationError extends RegistryError {
  override name = "RegistryValidationError";
  constructor(readonly problems: readonly string[]) {
    super(problems.join("; "));
  }
}

export class RegistryNotFoundError extends RegistryError {
  override name = "RegistryNotFoundError";
}

export class RegistryAlreadyExistsError extends RegistryError {
  override name = "RegistryAlreadyExistsError";
}

/** Deleting something a runtime still uses. */
export class RegistryInUseError extends RegistryError {
  override name = "RegistryInUseError";
  constructor(
    message: string,
    readonly runtimes: readonly string[],
  ) {
    super(message);
  }
}

/**
 * The secret key cannot open what was sealed with it: the key changed (a different
 * `OPENAXON_SECRET_KEY`, a replaced `secret.key`) or the data was tampered with.
 */
export class SecretKeyMismatchError extends RegistryError {
  override name = "SecretKeyMismatchError";
}
