import type { RunDetail, ServiceDetail } from "../http/schemas";
import type { ServerRecord, ServiceRecord } from "../store";

/** The pages render exactly what the status API returns: its bodies are the table rows (store/rows.ts). */
export type ServiceView = ServiceRecord;
export type ServerView = ServerRecord;
export type ServiceDetailView = ServiceDetail;
export type RunSummaryView = ServiceDetail["recentRuns"][number];
export type RunView = RunDetail;
