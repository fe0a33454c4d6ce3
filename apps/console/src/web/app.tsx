import { useState } from "preact/hooks";
import { storeApiKey, storedApiKey } from "./api.js";
import { AxonPage } from "./axon-page.js";
import { AxonsPage } from "./axons-page.js";
import { GatewayPage } from "./gateway-page.js";
import { linkTo, useRoute } from "./router.js";
import { RuntimesPage } from "./runtimes-page.js";
import { ThemeToggle } from "./theme.js";

export function App() {
  const route = useRoute();
  const [keyVersion, setKeyVersion] = useState(0);
  const askKey = () => {
    const key = prompt("API key (kept in this tab's sessionStorage)", storedApiKey() ?? "");
    if (key === null) return;
    storeApiKey(key.trim() || undefined);
    setKeyVersion((v) => v + 1);
  };
  return (
    <div class="shell">
      <header class="top">
        <a class="brand" href="/axons" onClick={linkTo("/axons")}>
          OpenAxon
        </a>
        <nav>
          <a
            href="/axons"
            class={route.page === "axons" || route.page === "axon" ? "active" : ""}
            onClick={linkTo("/axons")}
          >
            Axons
          </a>
          <a href="/runtimes" class={route.page === "runtimes" ? "active" : ""} onClick={linkTo("/runtimes")}>
            Runtimes
          </a>
          <a href="/gateway" class={route.page === "gateway" ? "active" : ""} onClick={linkTo("/gateway")}>
            Gateway
          </a>
        </nav>
        <ThemeToggle />
        <button type="button" class="ghost" onClick={askKey}>
          {storedApiKey() ? "API key ✓" : "API key"}
        </button>
      </header>
      {/* A new key remounts the page, so everything is fetched again with it. */}
      <main key={keyVersion}>
        {route.page === "axons" && <AxonsPage />}
        {route.page === "axon" && <AxonPage key={route.id} id={route.id} tab={route.tab} />}
        {route.page === "runtimes" && <RuntimesPage />}
        {route.page === "gateway" && <GatewayPage />}
      </main>
    </div>
  );
}
