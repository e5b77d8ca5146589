import { render } from "@testing-library/react";
import { BrowserRouter } from "react-router";
import { vi } from "vitest";
import { App, newQueryClient } from "../App";

export interface Call {
  method: string;
  path: string;
  search: string;
  headers: Headers;
  body: unknown;
}

type Answer = { status: number; body?: unknown };
type Routes = Record<string, Answer | ((call: Call) => Answer)>;

/**
 * Replaces fetch with answers keyed "METHOD /path" and records every call; a call with no answer
 * fails the test. The bodies are the API's documented shapes.
 */
export function fakeApi(routes: Routes): Call[] {
  const calls: Call[] = [];
  vi.stubGlobal("fetch", async (request: Request) => {
    const url = new URL(request.url);
    // A JSON body is kept parsed; another (an upload's multipart form) as the FormData it is.
    const json = !request.headers.get("Content-Type")?.startsWith("multipart/form-data");
    const body = json ? await request.text() : await request.formData();
    const call = {
      method: request.method,
      path: url.pathname,
      search: url.search,
      headers: request.headers,
      body: typeof body === "string" ? (body ? JSON.parse(body) : undefined) : body,
    };
    calls.push(call);
    const route = routes[`${call.method} ${call.path}`];
    if (route === undefined) throw new Error(`unexpected call ${call.method} ${call.path}`);
    const answer = typeof route === "function" ? route(call) : route;
    return answer.body === undefined
      ? new Response(null, { status: answer.status })
      : new Response(JSON.stringify(answer.body), {
          status: answer.status,
          headers: { "Content-Type": "application/json" },
        });
  });
  return calls;
}

/** The whole app at this address, as the browser would load it. */
export function renderAt(address: string) {
  window.history.replaceState(null, "", address);
  return render(
    <BrowserRouter>
      <App queryClient={newQueryClient()} />
    </BrowserRouter>,
  );
}
