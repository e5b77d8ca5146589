import { Route } from "react-router";
import { Medications } from "./Medications";
import { RefillForm } from "./RefillForm";
import { RefillRequestPage } from "./RefillRequestPage";

/**
 * The patient's medications and refill requests. Like the record's pages, a page shows the
 * patient's own record or the connected one its `?record=` names; medications and requests are
 * named in addresses by their opaque ids only.
 */
export const medicationRoutes = (
  <>
    <Route path="/medications" element={<Medications />} />
    <Route path="/medications/:medicationId/refill" element={<RefillForm />} />
    <Route path="/medications/refill-requests/:requestId" element={<RefillRequestPage />} />
  </>
);
