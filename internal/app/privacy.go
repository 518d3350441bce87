package app

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/robfig/cron/v3"

	"github.com/netzbot/netzbot/internal/bot"
	"github.com/netzbot/netzbot/internal/config"
	"github.com/netzbot/netzbot/internal/postgres"
	"github.com/netzbot/netzbot/internal/privacy"
)

// personalData lists every store that keeps something about a user, for
// /mydata and /deletemydata. A feature adds its store with one line here.
// Erasure runs bottom-up, so the profile, registered first, goes last.
func personalData(pool *pgxpool.Pool) *privacy.Registry {
	reg := privacy.NewRegistry()
	reg.Register("profile", &postgres.ProfilePrivacy{Pool: pool})
	reg.Register("conversation", &postgres.ConversationPrivacy{Pool: pool})
	reg.Register("notifications", &postgres.NotificationPrivacy{Pool: pool})
	reg.Register("offers", &postgres.OfferPrivacy{Pool: pool})   // search filters, location, reports
	reg.Register("network", &postgres.MemberPrivacy{Pool: pool}) // membership, groups, meeting replies
	return reg
}

// retentionTasks lists what the daily retention job forgets, and after how
// long (internal/config: *_RETENTION_DAYS). A feature adds its task here.
func retentionTasks(cfg *config.Config, pool *pgxpool.Pool) *privacy.Retention {
	ret := &privacy.Retention{}
	ret.Register(privacy.RetentionTask{Name: "notifications", Keep: cfg.NotificationRetention, Run: postgres.ExpireNotifications(pool)})
	ret.Register(privacy.RetentionTask{Name: "search_log", Keep: cfg.SearchLogRetention, Run: postgres.ExpireSearchLog(pool)})
	return ret
}

// privacyInfo is what /privacy tells about retention and contact.
func privacyInfo(cfg *config.Config) bot.PrivacyInfo {
	return bot.PrivacyInfo{
		Contact:          cfg.PrivacyContact,
		BookingDays:      config.RetentionDays(cfg.BookingRetention),
		SearchLogDays:    config.RetentionDays(cfg.SearchLogRetention),
		NotificationDays: config.RetentionDays(cfg.NotificationRetention),
	}
}

// retentionSchedule runs the retention job daily at 03:30 in TZ_NAME.
const retentionSchedule = "30 3 * * *"

// RunRetention runs every retention task once now and logs what each did.
func (a *App) RunRetention(ctx context.Context) ([]privacy.Result, error) {
	results, err := a.Retention.Run(ctx, a.opt.Now())
	for _, r := range results {
		if r.Err != nil {
			a.log.Error("retention task failed", "task", r.Name, "cutoff", r.Cutoff.Format(time.RFC3339), "error", r.Err)
			continue
		}
		a.log.Info("retention task done", "task", r.Name, "cutoff", r.Cutoff.Format(time.RFC3339), "count", r.Count)
	}
	return results, err
}

// runRetention runs the retention job on its schedule until ctx ends.
// Recover keeps a panicking task from taking the bot down; several
// replicas may run it at once, the tasks are idempotent.
func (a *App) runRetention(ctx context.Context) {
	logger := cronLogger{a.log}
	loc := time.Local
	if a.Config.Location != nil {
		loc = a.Config.Location
	}
	c := cron.New(cron.WithLocation(loc), cron.WithLogger(logger))
	if _, err := c.AddJob(retentionSchedule, a.retentionJob(ctx)); err != nil {
		a.log.Error("scheduling the retention job failed", "error", err)
		return
	}
	c.Start()
	<-ctx.Done()
	<-c.Stop().Done()
}

// retentionJob is the daily job: every task once, with a panic in one
// recovered and logged instead of taking the bot down.
func (a *App) retentionJob(ctx context.Context) cron.Job {
	logger := cronLogger{a.log}
	return cron.NewChain(cron.Recover(logger), cron.SkipIfStillRunning(logger)).Then(cron.FuncJob(func() {
		_, _ = a.RunRetention(ctx)
	}))
}
