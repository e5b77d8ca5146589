// The admin pages, loaded together in one chunk the first time an admin page opens: patients and
// staff never download them.
export { AppointmentPolicy } from "./AppointmentPolicy";
export { CareTeams } from "./CareTeams";
export { DeadLetters } from "./DeadLetters";
export { FeedSources } from "./FeedSources";
export { Forms } from "./Forms";
export { FormTemplate } from "./FormTemplate";
export { Organization } from "./Organization";
export { SensitiveCodes } from "./SensitiveCodes";
export { ReleasePolicy } from "./ReleasePolicy";
export { StaffAccounts } from "./StaffAccounts";
export { Terms } from "./Terms";
export { VisitTypes } from "./VisitTypes";
