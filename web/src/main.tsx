import "@uswds/uswds/css/uswds.min.css";
import "./i18n";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { BrowserRouter } from "react-router";
import { App, newQueryClient } from "./App";

const root = document.getElementById("root");
if (root === null) throw new Error("index.html has no #root");
createRoot(root).render(
  <StrictMode>
    <BrowserRouter>
      <App queryClient={newQueryClient()} />
    </BrowserRouter>
  </StrictMode>,
);
