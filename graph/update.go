package graph

// Updates change some fields of a node and leave the rest. A nil field is
// left as it is; a non-nil field replaces the stored value (an empty string
// clears an optional field). The store applies an update inside the write
// transaction, so concurrent updates of different fields never lose each
// other.

// OutletUpdate changes an outlet's fields.
type OutletUpdate struct {
	Name, Domain, Country, Language *string
	Type                            *OutletType
}

// Apply applies the update to o.
func (u OutletUpdate) Apply(o *Outlet) {
	set(&o.Name, u.Name)
	set(&o.Domain, u.Domain)
	set(&o.Country, u.Country)
	set(&o.Language, u.Language)
	set(&o.Type, u.Type)
}

// ReportUpdate changes a report's fields, its outlet included.
type ReportUpdate struct {
	Outlet, Title, URL, Language *string
	Published                    *Date
	Status                       *ReportStatus
}

// Apply applies the update to r.
func (u ReportUpdate) Apply(r *Report) {
	set(&r.Outlet, u.Outlet)
	set(&r.Title, u.Title)
	set(&r.URL, u.URL)
	set(&r.Language, u.Language)
	set(&r.Published, u.Published)
	set(&r.Status, u.Status)
}

// OfficialUpdate changes an official's fields.
type OfficialUpdate struct {
	Name, Role, Affiliation, Country, Description *string
	Form                                          *OfficialForm
	Anonymous                                     *bool
}

// Apply applies the update to o.
func (u OfficialUpdate) Apply(o *Official) {
	set(&o.Name, u.Name)
	set(&o.Role, u.Role)
	set(&o.Affiliation, u.Affiliation)
	set(&o.Country, u.Country)
	set(&o.Description, u.Description)
	set(&o.Form, u.Form)
	set(&o.Anonymous, u.Anonymous)
}

// ClaimUpdate changes a claim's text and topics.
type ClaimUpdate struct {
	Text   *string
	Topics *[]string
}

// Apply applies the update to c.
func (u ClaimUpdate) Apply(c *Claim) {
	set(&c.Text, u.Text)
	set(&c.Topics, u.Topics)
}

func set[T any](dst *T, v *T) {
	if v != nil {
		*dst = *v
	}
}
