import { useState } from "preact/hooks";

/**
 * A form's fields as one value, and `set(key)`: an input/change handler that stores the input's
 * value under `key` (a checkbox's checked state for checkboxes).
 */
export function useFormState<F extends object>(initial: F) {
  const [form, setForm] = useState<F>(initial);
  const set = (key: keyof F) => (event: Event) => {
    const input = event.currentTarget as HTMLInputElement;
    setForm({ ...form, [key]: input.type === "checkbox" ? input.checked : input.value });
  };
  return { form, set };
}
