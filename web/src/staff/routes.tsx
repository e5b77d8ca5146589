/** Clinic staff's pages: patients, invitations, results' release, the worklist, the quarantine. */
export const staffRoutes = <></>;
