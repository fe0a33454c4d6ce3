import { useState } from "preact/hooks";

/** "auto" follows the system (prefers-color-scheme); the others pin it. */
export type Theme = "auto" | "light" | "dark";

const THEME_STORAGE = "openaxon.theme";
const NEXT: Readonly<Record<Theme, Theme>> = { auto: "dark", dark: "light", light: "auto" };

export function storedTheme(): Theme {
  const value = localStorage.getItem(THEME_STORAGE);
  return value === "light" || value === "dark" ? value : "auto";
}

/** Sets `data-theme` on <html>; the stylesheet picks the palette from it (or from the system on auto). */
export function applyTheme(theme: Theme): void {
  if (theme === "auto") {
    delete document.documentElement.dataset.theme;
    localStorage.removeItem(THEME_STORAGE);
  } else {
    document.documentElement.dataset.theme = theme;
    localStorage.setItem(THEME_STORAGE, theme);
  }
}

/** Cycles auto → dark → light → auto; the choice is kept for the next visit. */
export function ThemeToggle() {
  const [theme, setTheme] = useState(storedTheme);
  const next = () => {
    const chosen = NEXT[theme];
    applyTheme(chosen);
    setTheme(chosen);
  };
  return (
    <button type="button" class="ghost" onClick={next} aria-label={`Theme: ${theme} (change)`}>
      {theme === "dark" ? "☾ dark" : theme === "light" ? "☀ light" : "◐ auto"}
    </button>
  );
}
