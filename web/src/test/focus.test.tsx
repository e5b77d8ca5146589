import { act, render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { useRef, useState } from "react";
import { describe, expect, it } from "vitest";
import { ErrorSummary } from "../components/ErrorSummary";
import { useFocusThroughBusyButtons } from "../components/useFocusThroughBusyButtons";

/** A form whose button is disabled while its request runs, as every form of the portal does. */
function Busy({ replaceOnDone }: { replaceOnDone: boolean }) {
  const main = useRef<HTMLElement>(null);
  useFocusThroughBusyButtons(main);
  const [state, setState] = useState<"idle" | "busy" | "done">("idle");
  const send = () => {
    setState("busy");
    // Chromium drops the focus of a control that becomes disabled; jsdom keeps it, so the test
    // does what Chromium does.
    setTimeout(() => (document.activeElement as HTMLElement | null)?.blur(), 0);
    setTimeout(() => setState("done"), 20);
  };
  return (
    <main ref={main}>
      <input aria-label="Name" />
      {replaceOnDone && state === "done" ? (
        <p role="status">Saved.</p>
      ) : (
        <button type="button" disabled={state === "busy"} onClick={send}>
          Save
        </button>
      )}
    </main>
  );
}

describe("focus through a request", () => {
  it("goes back to the button once it works again, not to the top of the page", async () => {
    render(<Busy replaceOnDone={false} />);
    await userEvent.setup().click(screen.getByRole("button", { name: "Save" }));
    await act(() => new Promise((resolve) => setTimeout(resolve, 60)));
    expect(document.activeElement).toBe(screen.getByRole("button", { name: "Save" }));
  });

  it("goes to the message that replaced the form when the button is gone", async () => {
    render(<Busy replaceOnDone={true} />);
    await userEvent.setup().click(screen.getByRole("button", { name: "Save" }));
    await act(() => new Promise((resolve) => setTimeout(resolve, 60)));
    expect(document.activeElement).toBe(screen.getByRole("status"));
  });

  it("gives a refusal the focus, unless the page put it in the field the refusal names", async () => {
    const { rerender } = render(
      <>
        <input aria-label="Email" />
        <ErrorSummary messages={[]} />
      </>,
    );
    rerender(
      <>
        <input aria-label="Email" />
        <ErrorSummary messages={["The portal could not be reached."]} />
      </>,
    );
    expect(document.activeElement).toBe(screen.getByRole("alert"));

    screen.getByLabelText("Email").focus();
    rerender(
      <>
        <input aria-label="Email" />
        <ErrorSummary messages={["Not an email address."]} />
      </>,
    );
    expect(document.activeElement).toBe(screen.getByLabelText("Email"));
  });
});
