import type { InputHTMLAttributes, TextareaHTMLAttributes } from "react";
import { Field } from "./Field";

interface Labelled {
  name: string;
  label: string;
  hint?: string;
  error?: string;
}

type InputProps = Labelled & Omit<InputHTMLAttributes<HTMLInputElement>, "id" | "name">;
type TextAreaProps = Labelled & Omit<TextareaHTMLAttributes<HTMLTextAreaElement>, "id" | "name">;

/** A USWDS text input with its label, an optional hint and the API's sentence about it. */
export function TextField({ name, label, hint, error, ...input }: InputProps) {
  return (
    <Field name={name} label={label} hint={hint} error={error}>
      {(control) => <input className={`usa-input${error ? " usa-input--error" : ""}`} {...control} {...input} />}
    </Field>
  );
}

/** The same for text of several lines. */
export function TextArea({ name, label, hint, error, ...textarea }: TextAreaProps) {
  return (
    <Field name={name} label={label} hint={hint} error={error}>
      {(control) => <textarea className={`usa-textarea${error ? " usa-input--error" : ""}`} {...control} {...textarea} />}
    </Field>
  );
}
