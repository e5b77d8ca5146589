import { Route } from "react-router";
import { ContactSupport } from "./ContactSupport";

/** The public pages of support: the contact form, open to anyone, signed in or not. */
export const supportRoutes = (
  <>
    <Route path="/support" element={<ContactSupport />} />
  </>
);
