import { Route } from "react-router";
import { lazyPages } from "../components/lazyPages";
import { Appointments } from "./Appointments";

const checkIn = lazyPages(() => import("../checkin/pages"));

/**
 * The patient's appointments. Like the record's pages, the page shows the patient's own record or
 * the connected one its `?record=` names (an opaque id); which list to show is never in the address.
 */
export const appointmentRoutes = (
  <>
    <Route path="/appointments" element={<Appointments />} />
    {checkIn("/appointments/:appointmentId/check-in", "CheckInWizard")}
  </>
);
