import { Route } from "react-router";
import { Documents } from "./Documents";
import { ResultDetail } from "./ResultDetail";
import { Results } from "./Results";

/** The patient's record: results, documents. */
export const recordRoutes = (
  <>
    <Route path="/results" element={<Results />} />
    <Route path="/results/:resultId" element={<ResultDetail />} />
    <Route path="/documents" element={<Documents />} />
  </>
);
