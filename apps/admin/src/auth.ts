import { useQuery } from "@tanstack/react-query";
import { createContext, useContext } from "react";
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

/** The signed-in user as the shell was rendered with (never null inside it). */
export const SignedInContext = createContext<Me | null>(null);

/**
 * The signed-in user, for pages inside the shell. Not `useMe().data!`: on sign-out the query holds
 * null before the router leaves the page, and a page rendered in between would throw.
 */
export function useSignedIn(): Me {
  const me = useContext(SignedInContext);
  if (!me) throw new Error("useSignedIn() outside the signed-in shell");
  return me;
}
