package app

import "context"

// RetentionJob runs the retention job as cron runs it, for tests.
func (a *App) RetentionJob(ctx context.Context) { a.retentionJob(ctx).Run() }
