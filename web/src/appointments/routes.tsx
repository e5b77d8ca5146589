import { Route } from "react-router";
import { lazyPages } from "../components/lazyPages";
import { Appointments } from "./Appointments";

const at = lazyPages(() => import("./pages"));
const checkIn = lazyPages(() => import("../checkin/pages"));

/**
 * The patient's appointments and requests for them. Like the record's pages, a page shows the
 * patient's own record or the connected one its `?record=` names (an opaque id); visits and
 * requests are named in addresses by their opaque ids only, and which list to show never is.
 */
export const appointmentRoutes = (
  <>
    <Route path="/appointments" element={<Appointments />} />
    {at("/appointments/request", "RequestAppointment")}
    {at("/appointments/requests/:requestId", "RequestPage")}
    {at("/appointments/:appointmentId", "AppointmentPage")}
    {at("/appointments/:appointmentId/reschedule", "Reschedule")}
    {checkIn("/appointments/:appointmentId/check-in", "CheckInWizard")}
  </>
);
