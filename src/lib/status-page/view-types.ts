import type { z } from "zod";
import type { runRecordSchema, serverStatusSchema, serviceDetailSchema, serviceStatusSchema } from "../http/schemas";

/** The pages render exactly what the status API returns (its documented bodies). */
export type ServiceView = z.output<typeof serviceStatusSchema>;
export type ServerView = z.output<typeof serverStatusSchema>;
export type ServiceDetailView = z.output<typeof serviceDetailSchema>;
export type RunSummaryView = ServiceDetailView["recentRuns"][number];
export type RunView = z.output<typeof runRecordSchema>;
