import { useTranslation } from "react-i18next";
import { load } from "../api/errors";
import type { Schemas } from "../api/client";
import { OpenFile } from "../records/OpenFile";
import type { RecordView } from "../records/PatientPage";
import { patientCheckIn, staffCheckIns } from "./calls";
import { clinicTime } from "./format";
import type { CheckIn, SignedForm, SignedFormDownload } from "./types";

/** The signed PDF's five-minute link, in the shape OpenFile opens (it reads only the url). */
async function linkOf(download: Promise<SignedFormDownload>): Promise<Schemas["FileLinkView"]> {
  const signed = await download;
  return { url: signed.download_url, disposition: "inline" } as Schemas["FileLinkView"];
}

/**
 * The forms signed for a visit, each with who signed, when, and its signed PDF: the patient opens
 * theirs through the patient route, staff through theirs (`staff` gives the patient's id).
 */
export function SignedFormList({
  record,
  checkIn,
  staffPatientId,
}: {
  record?: RecordView;
  checkIn: CheckIn;
  staffPatientId?: string;
}) {
  const { t } = useTranslation();
  const signed = checkIn.forms.flatMap((form) => (form.signed ? [form.signed] : []));
  const fetchLink = (form: SignedForm) => () =>
    linkOf(
      staffPatientId !== undefined
        ? load(() => staffCheckIns.signedForm(staffPatientId, form.document_id))
        : load(() => patientCheckIn.signedForm(record?.patientId ?? "", form.document_id)),
    );
  return (
    <section aria-labelledby="signed-forms" className="margin-top-4">
      <h2 id="signed-forms">{t("checkin.signed.title")}</h2>
      {signed.length === 0 ? (
        <p>{t("checkin.signed.none")}</p>
      ) : (
        <ul className="usa-list usa-list--unstyled">
          {signed.map((form) => (
            <SignedItem key={form.document_id} form={form} fetchLink={fetchLink(form)} />
          ))}
        </ul>
      )}
    </section>
  );
}

function SignedItem({ form, fetchLink }: { form: SignedForm; fetchLink: () => Promise<Schemas["FileLinkView"]> }) {
  const { t, i18n } = useTranslation();
  return (
    <li className="margin-bottom-2 border-bottom-1px border-base-lighter padding-bottom-2">
      <h3 className="margin-bottom-05">{form.title}</h3>
      <p className="margin-y-05">
        {form.signed_by
          ? t("checkin.signed.byProxy", { signature: form.signature, date: clinicTime(form.signed_at, i18n.language) })
          : t("checkin.signed.by", { name: form.signed_name, date: clinicTime(form.signed_at, i18n.language) })}
      </p>
      <p className="margin-y-05 text-base">
        {t("checkin.signed.version", { version: form.version })}{" "}
        {form.has_drawn_signature ? t("checkin.signed.drawn") : t("checkin.signed.typed")}
      </p>
      <OpenFile label={t("checkin.signed.open", { title: form.title })} fetchLink={fetchLink} />
    </li>
  );
}
