package offer

import (
	"context"
	"time"

	"github.com/hashicorp/golang-lru/v2/expirable"
)

// Cache keeps recent result pages and search texts of a Store in memory.
// Most free text is one of a few common searches ("Deutschkurs",
// "housing"), and a page costs several database round trips to work out,
// while the directory changes a few times a day.
//
// Pages are only cached while the Cache is Live, that is while something
// (postgres.Follow) calls Invalidate on every change of the
// directory, from this process or any other (a CLI import). Entries also
// expire after a while, as a second line of defence.
//
// Pages and offers returned by List and Get are shared between callers:
// read-only.
type Cache struct {
	Store

	pages   *Memo[pageKey, *Page]
	offers  *Memo[int64, *Offer]
	suggest *Memo[string, *Suggestion]    // search text → "did you mean"
	queries *expirable.LRU[string, int64] // search text → id
	texts   *expirable.LRU[int64, string] // id → search text
}

// CacheOptions size a Cache; zero values take the defaults.
type CacheOptions struct {
	// Pages is how many result pages are kept (default 1024: a page holds
	// at most a handful of offers), and as many single offers (cards).
	Pages int
	// PageTTL bounds how long a page or offer is kept (default 10 minutes).
	PageTTL time.Duration
	// Queries is how many search texts and ids are kept (default 8192).
	Queries int
	// QueryTTL bounds how long a search text's id is reused without
	// asking the store (default 1 hour). It must stay well below the
	// search log's retention (at least a day): saving a query keeps its
	// row from expiring for that long.
	QueryTTL time.Duration
}

// NewCache caches s. It starts not live: List asks s every time until
// SetLive(true).
func NewCache(s Store, opt CacheOptions) *Cache {
	if opt.Pages <= 0 {
		opt.Pages = 1024
	}
	if opt.PageTTL <= 0 {
		opt.PageTTL = 10 * time.Minute
	}
	if opt.Queries <= 0 {
		opt.Queries = 8192
	}
	if opt.QueryTTL <= 0 {
		opt.QueryTTL = time.Hour
	}
	return &Cache{
		Store:   s,
		pages:   &Memo[pageKey, *Page]{Size: opt.Pages, TTL: opt.PageTTL},
		offers:  &Memo[int64, *Offer]{Size: opt.Pages, TTL: opt.PageTTL},
		suggest: &Memo[string, *Suggestion]{Size: opt.Pages, TTL: opt.PageTTL},
		queries: expirable.NewLRU[string, int64](opt.Queries, nil, opt.QueryTTL),
		texts:   expirable.NewLRU[int64, string](opt.Queries, nil, opt.QueryTTL),
	}
}

// pageKey is everything of a ListQuery that the page depends on. The
// reader's language only matters to "held in my language" and to the
// order of a category or "near me" by title: a search's page is the same
// in every language otherwise (the page holds every translation).
type pageKey struct {
	text, category   string
	near, onlyNear   bool
	lat, lon         float64
	myLanguage, free bool
	targetGroup      string
	district         string
	lang             string
	day              string // the offers current today
	offset, limit    int
}

func keyOf(q ListQuery) pageKey {
	k := pageKey{
		text: q.Text, category: q.Category, onlyNear: q.OnlyNear,
		myLanguage: q.Filters.MyLanguage, free: q.Filters.FreeOnly,
		targetGroup: q.Filters.TargetGroup, district: q.Filters.District,
		day: q.Today.Format(time.DateOnly), offset: q.Offset, limit: q.Limit,
	}
	if q.Text == "" || q.Filters.MyLanguage {
		k.lang = q.Lang
	}
	if q.Near != nil {
		k.near, k.lat, k.lon = true, q.Near.Lat, q.Near.Lon
	}
	return k
}

// List implements Store.
func (c *Cache) List(ctx context.Context, q ListQuery) (*Page, error) {
	return c.pages.LoadKeeping(keyOf(q), func() (*Page, error) { return c.Store.List(ctx, q) },
		func(p *Page) bool { return !p.Provisional })
}

// Get implements Store.
func (c *Cache) Get(ctx context.Context, id int64) (*Offer, error) {
	return c.offers.Load(id, func() (*Offer, error) { return c.Store.Get(ctx, id) })
}

// Suggest implements Store. A search without results is as common as any
// other (a word the directory does not use), and finding the most similar
// keyword compares the text with every one of them.
func (c *Cache) Suggest(ctx context.Context, text string) (*Suggestion, error) {
	return c.suggest.Load(text, func() (*Suggestion, error) { return c.Store.Suggest(ctx, text) })
}

// SaveQuery implements Store. A search text's id never changes while its
// row exists, and saving it keeps the row for the retention period.
func (c *Cache) SaveQuery(ctx context.Context, text string) (int64, error) {
	if id, ok := c.queries.Get(text); ok {
		return id, nil
	}
	id, err := c.Store.SaveQuery(ctx, text)
	if err != nil {
		return 0, err
	}
	c.queries.Add(text, id)
	c.texts.Add(id, text)
	return id, nil
}

// Query implements Store.
func (c *Cache) Query(ctx context.Context, id int64) (string, error) {
	if text, ok := c.texts.Get(id); ok {
		return text, nil
	}
	text, err := c.Store.Query(ctx, id)
	if err != nil {
		return "", err
	}
	c.texts.Add(id, text)
	return text, nil
}

// Invalidate forgets every page, card and suggestion: the directory
// changed.
func (c *Cache) Invalidate() {
	c.pages.Invalidate()
	c.offers.Invalidate()
	c.suggest.Invalidate()
}

// SetLive turns caching pages, cards and suggestions on while changes are
// being followed, and off (forgetting them) when they no longer are.
func (c *Cache) SetLive(live bool) {
	c.pages.SetLive(live)
	c.offers.SetLive(live)
	c.suggest.SetLive(live)
}

// Live reports whether pages are cached.
func (c *Cache) Live() bool { return c.pages.Live() }

// Stats are the page, card and suggestion lookups that were answered from
// memory and those that asked the store while live.
func (c *Cache) Stats() (hits, misses int64) {
	for _, st := range []func() (int64, int64){c.pages.Stats, c.offers.Stats, c.suggest.Stats} {
		h, m := st()
		hits, misses = hits+h, misses+m
	}
	return hits, misses
}
