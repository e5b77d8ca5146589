import { type PointerEvent, useEffect, useRef, useState } from "react";
import { useTranslation } from "react-i18next";

// The drawing's size in canvas pixels; the canvas is stretched to the width of the page (CSS), so
// a pointer's position is scaled back to these before it is drawn.
const WIDTH = 600;
const HEIGHT = 200;
const PNG_PREFIX = "data:image/png;base64,";

function paintBlank(canvas: HTMLCanvasElement) {
  const pen = canvas.getContext("2d");
  if (!pen) return;
  // White, not transparent: the signature is printed on the signed PDF as drawn.
  pen.fillStyle = "#ffffff";
  pen.fillRect(0, 0, WIDTH, HEIGHT);
  pen.strokeStyle = "#1b1b1b";
  pen.lineWidth = 3;
  pen.lineCap = "round";
  pen.lineJoin = "round";
}

/**
 * An optional drawn signature: a canvas that follows pointer events, so a mouse, a pen and a finger
 * all draw (touch-action: none keeps a finger from scrolling the page instead), with a Clear button.
 * Each finished stroke gives the drawing as PNG base64 to `onChange` (null once cleared). Written
 * here rather than taken from a package: it is some forty lines, and the first page stays small.
 * Nothing requires it: the typed name alone signs, so the keyboard never needs to draw.
 */
export function SignaturePad({ id, onChange }: { id: string; onChange: (png: string | null) => void }) {
  const { t } = useTranslation();
  const canvas = useRef<HTMLCanvasElement>(null);
  const last = useRef<{ x: number; y: number } | null>(null);
  const moved = useRef(false); // anything drawn since the pad was blank
  const [drawn, setDrawn] = useState(false);

  useEffect(() => {
    if (canvas.current) paintBlank(canvas.current);
  }, []);

  function point(event: PointerEvent<HTMLCanvasElement>) {
    const box = event.currentTarget.getBoundingClientRect();
    const scaleX = box.width ? WIDTH / box.width : 1;
    const scaleY = box.height ? HEIGHT / box.height : 1;
    return { x: (event.clientX - box.left) * scaleX, y: (event.clientY - box.top) * scaleY };
  }

  function down(event: PointerEvent<HTMLCanvasElement>) {
    event.preventDefault();
    event.currentTarget.setPointerCapture?.(event.pointerId);
    last.current = point(event);
  }

  function move(event: PointerEvent<HTMLCanvasElement>) {
    const from = last.current;
    if (!from) return;
    const to = point(event);
    const pen = event.currentTarget.getContext("2d");
    if (pen) {
      pen.beginPath();
      pen.moveTo(from.x, from.y);
      pen.lineTo(to.x, to.y);
      pen.stroke();
    }
    last.current = to;
    moved.current = true;
    setDrawn(true);
  }

  function up(event: PointerEvent<HTMLCanvasElement>) {
    if (!last.current) return;
    last.current = null;
    event.currentTarget.releasePointerCapture?.(event.pointerId);
    if (!moved.current) return; // a click without a move draws nothing and gives nothing
    const url = event.currentTarget.toDataURL("image/png");
    onChange(url.startsWith(PNG_PREFIX) ? url.slice(PNG_PREFIX.length) : null);
  }

  function clear() {
    if (canvas.current) paintBlank(canvas.current);
    setDrawn(false);
    moved.current = false;
    onChange(null);
  }

  return (
    <div className="usa-form-group">
      <span className="usa-label" id={`${id}-label`}>
        {t("checkin.forms.drawLabel")}
      </span>
      <span className="usa-hint" id={`${id}-hint`}>
        {t("checkin.forms.drawHint")}
      </span>
      <canvas
        ref={canvas}
        id={id}
        width={WIDTH}
        height={HEIGHT}
        role="img"
        aria-labelledby={`${id}-label`}
        aria-describedby={`${id}-hint`}
        className="border-1px border-base-light radius-md margin-top-1 display-block"
        style={{ width: "100%", maxWidth: `${WIDTH}px`, height: "auto", aspectRatio: `${WIDTH} / ${HEIGHT}`, touchAction: "none" }}
        onPointerDown={down}
        onPointerMove={move}
        onPointerUp={up}
        onPointerCancel={up}
      />
      <p className="margin-top-1 margin-bottom-0" aria-live="polite">
        {drawn ? t("checkin.forms.drawn") : t("checkin.forms.notDrawn")}
      </p>
      <button type="button" className="usa-button usa-button--outline usa-button--small margin-top-1" onClick={clear} disabled={!drawn}>
        {t("checkin.forms.clear")}
      </button>
    </div>
  );
}
