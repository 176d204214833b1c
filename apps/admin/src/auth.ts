import { useQuery } from "@tanstack/react-query";
import { ApiProblem, api, type Me, read } from "./api";

/** The signed-in user, or null when there is no session (401). */
export function useMe() {
  return useQuery({
    queryKey: ["me"],
    queryFn: async (): Promise<Me | null> => {
      try {
        return await read(api.auth.me.$get());
      } catch (e) {
        if (e instanceof ApiProblem && e.status === 401) return null;
        throw e;
      }
    },
    staleTime: 60_000,
  });
}
