import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useNavigate } from "react-router";
import { api } from "../api/client";
import { setToken } from "../session";

/** DELETE /v1/sessions/current, then forget the token and every answer fetched with it. */
export function useSignOut() {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  return useMutation({
    mutationFn: async () => {
      // The session is forgotten here whatever the API answers: a session that already ended
      // (401) or an unreachable API must not leave the patient looking signed in.
      try {
        await api.DELETE("/v1/sessions/current");
      } finally {
        setToken(null);
        queryClient.clear();
        await navigate("/sign-in");
      }
    },
  });
}
