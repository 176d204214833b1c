import type { ClientResponse, InferResponseType } from "hono/client";
import { read } from "./api";

/**
 * Where the typed client meets files: uploads it cannot send, and operations that answer either
 * JSON or a file. The types still come from the operations' declarations.
 */

/**
 * Posts a multipart form (a file upload) to an operation of the typed client. Upload routes stream
 * the body themselves, so their declaration has no body the client could send: the client gives
 * the URL (`$url`) and, through the same operation's `$post`, the type of the answer.
 *
 *   const op = api.reports[":id"].evidence;
 *   const evidence = await postForm<typeof op.$post>(op.$url({ param: { id } }), form);
 */
export const postForm = <Post extends (...args: never[]) => Promise<unknown>>(url: URL, form: FormData): Promise<InferResponseType<Post>> =>
  read<InferResponseType<Post>>(fetch(url, { method: "POST", body: form, credentials: "include" }));

/** The JSON branch of an answer: an operation that may also answer a file (`?format=docx`) has a plain `Response` beside it in the client's types. */
type JsonOf<R> = R extends ClientResponse<infer O, number, "json"> ? (O extends Response ? never : O) : never;

/** Reads the JSON answer of an operation that can also answer a file, asked for JSON. */
export const readJson = async <R extends ClientResponse<unknown, number, string>>(res: Promise<R>): Promise<JsonOf<R>> => (await read(res)) as JsonOf<R>;
