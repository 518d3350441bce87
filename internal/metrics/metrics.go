// Package metrics holds netzbot's Prometheus collectors. Each App gets its
// own registry, so tests and benchmarks can run several bots in one process.
package metrics

import (
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics are the bot's counters and histograms.
type Metrics struct {
	Registry     *prometheus.Registry
	updates      *prometheus.CounterVec
	latency      *prometheus.HistogramVec
	sent         *prometheus.CounterVec
	sendErrors   *prometheus.CounterVec
	limiterWaits prometheus.Counter
	limiterWait  prometheus.Counter
}

// New registers the collectors on a fresh registry, with Go runtime and
// process metrics beside them.
func New() *Metrics {
	m := &Metrics{
		Registry: prometheus.NewRegistry(),
		updates: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "netzbot_updates_total", Help: "Updates handled, by kind and route.",
		}, []string{"kind", "route"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "netzbot_handler_duration_seconds", Help: "Time to handle one update, replies included.",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"kind"}),
		sent: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "netzbot_messages_sent_total", Help: "Bot API requests that succeeded, by method.",
		}, []string{"method"}),
		sendErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "netzbot_send_errors_total", Help: "Failed Bot API requests, by code (429, 403, 5xx, network, ...).",
		}, []string{"code"}),
		limiterWaits: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "netzbot_rate_limiter_waits_total", Help: "Sends that had to wait for the rate limiter.",
		}),
		limiterWait: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "netzbot_rate_limiter_wait_seconds_total", Help: "Time spent waiting for the rate limiter.",
		}),
	}
	m.Registry.MustRegister(m.updates, m.latency, m.sent, m.sendErrors, m.limiterWaits, m.limiterWait,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// UpdateHandled records one handled update.
func (m *Metrics) UpdateHandled(kind, route string, d time.Duration) {
	m.updates.WithLabelValues(kind, route).Inc()
	m.latency.WithLabelValues(kind).Observe(d.Seconds())
}

// MessageSent records a successful Bot API request.
func (m *Metrics) MessageSent(method string) { m.sent.WithLabelValues(method).Inc() }

// SendError records a failed Bot API request.
func (m *Metrics) SendError(code string) { m.sendErrors.WithLabelValues(code).Inc() }

// LimiterWait records a wait imposed by the rate limiter.
func (m *Metrics) LimiterWait(d time.Duration) {
	m.limiterWaits.Inc()
	m.limiterWait.Add(d.Seconds())
}

// Handler serves the registry in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.Registry, promhttp.HandlerOpts{})
}

// CacheStats registers counters read from a cache at scrape time: lookups
// answered from memory and those that went to the database.
func (m *Metrics) CacheStats(name string, stats func() (hits, misses int64)) {
	m.Registry.MustRegister(
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "netzbot_cache_hits_total", Help: "Lookups answered from an in-memory cache.",
			ConstLabels: prometheus.Labels{"cache": name},
		}, func() float64 { h, _ := stats(); return float64(h) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "netzbot_cache_misses_total", Help: "Lookups of an in-memory cache that went to the database.",
			ConstLabels: prometheus.Labels{"cache": name},
		}, func() float64 { _, m := stats(); return float64(m) }),
	)
}
