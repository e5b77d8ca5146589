// (the shared text area, under the path the admin pages import it from)
export { TextArea } from "../components/TextField";
