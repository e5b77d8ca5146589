import { Notice } from "../components/Notice";

/** The shared notice of what an action did, under the name the admin pages use. */
export function Done({ message }: { message: string }) {
  return <Notice text={message} />;
}
