export * from "@minsheng/domain";
export { Either } from "effect";
