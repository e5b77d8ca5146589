import "@uswds/uswds/css/uswds.min.css";
import "./portal.css";
import "./i18n";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { BrowserRouter } from "react-router";
import { App, newQueryClient } from "./App";
import { fetchMe } from "./api/me";
import { getToken } from "./session";

const root = document.getElementById("root");
if (root === null) throw new Error("index.html has no #root");
const queryClient = newQueryClient();
// A tab that opens with a session (a reload, a bookmark) needs GET /v1/me for every page: asked
// now, it is on its way while React renders the first page instead of after it.
const token = getToken();
if (token !== null) void queryClient.prefetchQuery({ queryKey: ["me", token], queryFn: fetchMe });
createRoot(root).render(
  <StrictMode>
    <BrowserRouter>
      <App queryClient={queryClient} />
    </BrowserRouter>
  </StrictMode>,
);
