// The check-in wizard, loaded as a chunk of its own the first time it opens: the signature pad and
// the steps stay out of the first page.
export { CheckInWizard } from "./CheckInWizard";
