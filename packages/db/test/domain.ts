export * from "@minsheng/domain";
export { Either } from "@minsheng/domain";
