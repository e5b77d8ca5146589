import { Route } from "react-router";
import { AccessLog } from "./AccessLog";
import { Connections } from "./Connections";
import { DocumentDetail } from "./DocumentDetail";
import { Download } from "./Download";
import { Documents } from "./Documents";
import { HealthSummary } from "./HealthSummary";
import { ResultDetail } from "./ResultDetail";
import { Results } from "./Results";
import { Upcoming } from "./Upcoming";

/**
 * The patient's records: results, documents, the health summary, what is coming, who looked; and
 * the connections that say which records there are. A page shows the patient's own record, or
 * the connected one its `?record=` names (an opaque id from GET /v1/me).
 */
export const recordRoutes = (
  <>
    <Route path="/results" element={<Results />} />
    <Route path="/results/:resultId" element={<ResultDetail />} />
    <Route path="/documents" element={<Documents />} />
    <Route path="/documents/:documentId" element={<DocumentDetail />} />
    <Route path="/health-summary" element={<HealthSummary />} />
    <Route path="/health-summary/:section" element={<HealthSummary />} />
    <Route path="/upcoming" element={<Upcoming />} />
    <Route path="/access-log" element={<AccessLog />} />
    <Route path="/connections" element={<Connections />} />
    <Route path="/records/download" element={<Download />} />
  </>
);
