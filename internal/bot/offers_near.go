package bot

import (
	"context"
)

// sharedLocation answers a location shared outside a flow: it is kept with
// the user's filters for a few hours (locationMaxAge) and the offers
// nearest to it are listed, with their distance.
func (b *Bot) sharedLocation(ctx context.Context, r *Request) ([]Reply, error) {
	if b.d.Offers == nil || r.Location == nil {
		return b.unsupported(ctx, r)
	}
	f := r.Filters
	f.Lat, f.Lon, f.LocatedAt = r.Location.Latitude, r.Location.Longitude, b.d.Now()
	if err := b.d.Offers.SaveFilters(ctx, r.User.ID, f); err != nil {
		return nil, err
	}
	r.Filters = f
	rep, err := b.listReply(ctx, r, listRef{kind: "n", arg: "-"})
	if err != nil {
		return nil, err
	}
	return []Reply{rep}, nil
}
