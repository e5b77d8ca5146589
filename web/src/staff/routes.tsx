import { type ComponentType, type LazyExoticComponent, Suspense, lazy } from "react";
import { useTranslation } from "react-i18next";
import { Route } from "react-router";

type Pages = typeof import("./pages");
const pages = () => import("./pages");
const page = (name: keyof Pages): LazyExoticComponent<ComponentType> =>
  lazy(() => pages().then((module) => ({ default: module[name] })));

const FindPatient = page("FindPatient");
const RegisterPatient = page("RegisterPatient");
const PatientDetail = page("PatientDetail");
const PatientResults = page("PatientResults");
const HealthSummary = page("HealthSummary");
const Worklist = page("Worklist");
const Quarantine = page("Quarantine");

function Loading() {
  const { t } = useTranslation();
  return <p>{t("app.loading")}</p>;
}

const at = (path: string, Page: LazyExoticComponent<ComponentType>) => (
  <Route
    path={path}
    element={
      <Suspense fallback={<Loading />}>
        <Page />
      </Suspense>
    }
  />
);

/**
 * Clinic staff's pages: patients, invitations, results' release, the worklist, the quarantine. A
 * patient is named in addresses by their opaque id only; a record number is searched for in a form.
 */
export const staffRoutes = (
  <>
    {at("/staff/patients", FindPatient)}
    {at("/staff/patients/new", RegisterPatient)}
    {at("/staff/patients/:patientId", PatientDetail)}
    {at("/staff/patients/:patientId/results", PatientResults)}
    {at("/staff/patients/:patientId/health-summary", HealthSummary)}
    {at("/staff/worklist", Worklist)}
    {at("/staff/quarantine", Quarantine)}
  </>
);
