package app

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/robfig/cron/v3"
)

// cronLogger adapts slog to robfig/cron's logger.
type cronLogger struct{ l *slog.Logger }

func (c cronLogger) Info(msg string, kv ...any) { c.l.Debug("cron: "+msg, kv...) }
func (c cronLogger) Error(err error, msg string, kv ...any) {
	c.l.Error("cron: "+msg, append(kv, "error", err)...)
}

// runWorker delivers due notifications at start, every 15 s and whenever
// a handler kicks it. On shutdown it finishes the batch in hand (within
// SendGrace) and returns when every run has ended. The schedule only says how often to look: the due times live in
// the notifications table, so daylight-saving changes skip or repeat
// nothing. cron's default chain does not recover panics, hence Recover;
// SkipIfStillRunning keeps one run at a time in this process (other
// replicas are kept apart by the lease in the database).
func (a *App) runWorker(ctx context.Context) {
	logger := cronLogger{a.log}
	job := cron.NewChain(cron.Recover(logger), cron.SkipIfStillRunning(logger)).Then(cron.FuncJob(func() {
		stats, err := a.Bot.DeliverDueGraceful(ctx, a.sendGrace())
		if err != nil && ctx.Err() == nil {
			a.log.Warn("delivering notifications failed", "error", err)
		}
		if stats.Sent+stats.Dropped+stats.Retried > 0 {
			a.log.Info("notifications delivered", "sent", stats.Sent, "dropped", stats.Dropped, "retried", stats.Retried)
		}
	}))
	c := cron.New(cron.WithChain(), cron.WithLogger(logger))
	c.Schedule(cron.Every(a.workerEvery()), job)
	c.Start()
	var kicked sync.WaitGroup // runs started here, which cron does not wait for
	defer func() { <-c.Stop().Done(); kicked.Wait() }()
	run := func() {
		kicked.Add(1)
		go func() { defer kicked.Done(); job.Run() }()
	}
	run() // what became due while the bot was down goes out at once
	for {
		select {
		case <-ctx.Done():
			return
		case <-a.Bot.Kicks():
			run()
		}
	}
}

func (a *App) sendGrace() time.Duration {
	if a.opt.SendGrace > 0 {
		return a.opt.SendGrace
	}
	return 20 * time.Second
}

func (a *App) workerEvery() time.Duration {
	if a.opt.WorkerEvery > 0 {
		return a.opt.WorkerEvery
	}
	return 15 * time.Second
}
