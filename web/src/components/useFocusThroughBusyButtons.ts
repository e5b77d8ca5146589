import { useEffect } from "react";

/**
 * A button that is disabled while its request runs loses the keyboard focus: the browser drops it
 * on the page's body, and the next Tab starts again at the top of the page. Every form and action
 * of the portal does that, so it is mended once, here, for the whole page:
 *
 * - when the focused control becomes disabled, it is remembered;
 * - when it is enabled again and the focus is still nowhere, the focus goes back to it;
 * - when it is gone instead (the answer replaced the form), the focus goes to what replaced it:
 *   the first alert or status message in the main content, else its heading, else the content.
 *
 * Focus that moved somewhere on purpose meanwhile (an error summary, a dialog) is left there.
 */
export function useFocusThroughBusyButtons(main: { current: HTMLElement | null }): void {
  useEffect(() => {
    let waiting: HTMLElement | null = null;
    const nowhere = () => document.activeElement === null || document.activeElement === document.body;

    const observer = new MutationObserver((mutations) => {
      for (const mutation of mutations) {
        const target = mutation.target;
        if (mutation.type === "attributes" && target instanceof HTMLElement && "disabled" in target) {
          const disabled = (target as HTMLButtonElement).disabled;
          // (Chromium may have moved the focus away already by the time this runs.)
          const hadFocus = document.activeElement === target || (target.dataset.lastFocused === "yes" && nowhere());
          if (disabled && hadFocus) waiting = target;
          else if (!disabled && target === waiting) {
            waiting = null;
            if (nowhere()) target.focus();
          }
        }
      }
      if (waiting !== null && !waiting.isConnected) {
        waiting = null;
        if (nowhere()) focusWhatReplacedIt(main.current);
      }
    });
    // Which control had the focus last, so that a disable that Chromium answers by dropping the
    // focus before this observer runs is still recognised.
    let last: HTMLElement | null = null;
    const remember = (event: FocusEvent) => {
      if (last) delete last.dataset.lastFocused;
      last = event.target instanceof HTMLElement ? event.target : null;
      if (last) last.dataset.lastFocused = "yes";
    };
    document.addEventListener("focusin", remember);
    observer.observe(document.body, { attributes: true, attributeFilter: ["disabled"], childList: true, subtree: true });
    return () => {
      observer.disconnect();
      document.removeEventListener("focusin", remember);
      if (last) delete last.dataset.lastFocused;
    };
  }, [main]);
}

function focusWhatReplacedIt(main: HTMLElement | null): void {
  if (main === null) return;
  const target =
    main.querySelector<HTMLElement>('[role="alert"], [role="status"], .usa-alert') ??
    main.querySelector<HTMLElement>("h1") ??
    main;
  if (!target.hasAttribute("tabindex") && !target.matches("a, button, input, select, textarea")) {
    target.setAttribute("tabindex", "-1"); // reachable by script only; Tab still skips it
  }
  target.focus();
}
