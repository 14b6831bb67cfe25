package sqlsim

import (
	"sort"
	"strings"

	"pcfailover/core/sqlsim/tds"
)

// selResult is a materialised SELECT result.
type selResult struct {
	cols []tds.Column
	rows [][]any
	keys [][]any // ORDER BY keys per row (nil when no ORDER BY)
}

func (s *session) runSelect(sel *selectStmt, sc *scope) (*selResult, *sqlError) {
	res, err := s.selectCore(sel, sc, sel.orderBy, sel.union == nil)
	if err != nil {
		return nil, err
	}
	if sel.union != nil {
		all := sel.unionAll
		for part := sel.union; part != nil; part = part.union {
			r, err := s.selectCore(part, sc, nil, false)
			if err != nil {
				return nil, err
			}
			if len(r.cols) != len(res.cols) {
				return nil, errOf(msg(205, 16, 1, "All queries combined using a UNION, INTERSECT or EXCEPT operator must have an equal number of expressions in their target lists.")).abort()
			}
			res.rows = append(res.rows, r.rows...)
			if !all {
				res.rows = distinctRows(res.rows)
			}
			all = part.unionAll
		}
		if len(sel.orderBy) > 0 {
			keys := make([][]any, len(res.rows))
			for i, row := range res.rows {
				for _, oi := range sel.orderBy {
					idx := outputIndex(oi.e, res.cols)
					if idx < 0 {
						return nil, errOf(msg(104, 16, 1, "ORDER BY items must appear in the select list if the statement contains a UNION, INTERSECT or EXCEPT operator.")).abort()
					}
					keys[i] = append(keys[i], row[idx])
				}
			}
			res.keys = keys
			sortRows(res, sel.orderBy)
		}
	}
	if sel.top != nil {
		e := &env{s: s, sc: sc}
		v, err := e.eval(sel.top)
		if err != nil {
			return nil, err
		}
		n, ok := toInt(v)
		if !ok || n < 0 {
			return nil, errOf(msg(1060, 16, 1, "The number of rows in the TOP clause must be an integer.")).abort()
		}
		if int(n) < len(res.rows) {
			res.rows = res.rows[:n]
		}
	}
	return res, nil
}

// outputIndex resolves an ORDER BY item against output column names or an ordinal.
func outputIndex(x expr, cols []tds.Column) int {
	switch v := x.(type) {
	case *literal:
		if n, ok := v.v.(int64); ok && n >= 1 && int(n) <= len(cols) {
			return int(n) - 1
		}
	case *colRef:
		name := v.parts[len(v.parts)-1]
		for i, c := range cols {
			if eqFold(c.Name, name) {
				return i
			}
		}
	}
	return -1
}

func distinctRows(rows [][]any) [][]any {
	seen := map[string]bool{}
	var out [][]any
	for _, r := range rows {
		var b strings.Builder
		for _, v := range r {
			b.WriteString(valueKey(v))
			b.WriteByte(0)
		}
		k := b.String()
		if !seen[k] {
			seen[k] = true
			out = append(out, r)
		}
	}
	return out
}

func sortRows(res *selResult, order []orderItem) {
	idx := make([]int, len(res.rows))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool {
		ka, kb := res.keys[idx[a]], res.keys[idx[b]]
		for i, oi := range order {
			x, y := ka[i], kb[i]
			var c int
			switch {
			case x == nil && y == nil:
				c = 0
			case x == nil:
				c = -1
			case y == nil:
				c = 1
			default:
				c, _ = compareValues(x, y)
			}
			if oi.desc {
				c = -c
			}
			if c != 0 {
				return c < 0
			}
		}
		return false
	})
	rows := make([][]any, len(idx))
	keys := make([][]any, len(idx))
	for i, j := range idx {
		rows[i] = res.rows[j]
		keys[i] = res.keys[j]
	}
	res.rows, res.keys = rows, keys
}

func (s *session) selectCore(sel *selectStmt, sc *scope, order []orderItem, sortHere bool) (*selResult, *sqlError) {
	base := &env{s: s, sc: sc}
	rows := [][]any{nil}
	if sel.from != nil {
		refs := append([]tableRef{sel.from.first}, func() []tableRef {
			var t []tableRef
			for _, j := range sel.from.joins {
				t = append(t, j.table)
			}
			return t
		}()...)
		offset := 0
		for i, ref := range refs {
			t, err := s.resolveTable(ref.name)
			if err != nil {
				return nil, err
			}
			alias := ref.alias
			if alias == "" {
				alias = ref.name.last()
			}
			src := source{alias: alias, tname: ref.name.last(), t: t, offset: offset}
			offset += len(t.cols)
			if i == 0 {
				base.sources = []source{src}
				rows = rows[:0]
				for _, r := range t.rows {
					rows = append(rows, append([]any(nil), r...))
				}
				continue
			}
			j := sel.from.joins[i-1]
			base.sources = append(base.sources, src)
			joined, err := joinRows(base, rows, src, j)
			if err != nil {
				return nil, err
			}
			rows = joined
		}
	}
	if sel.where != nil {
		var kept [][]any
		for _, r := range rows {
			e := *base
			e.row = r
			v, err := e.eval(sel.where)
			if err != nil {
				return nil, err
			}
			if truthy(v) {
				kept = append(kept, r)
			}
		}
		rows = kept
	}

	// Output columns.
	type outItem struct {
		e     expr
		col   tds.Column
		star  int // >= 0: index into joined row
		asVar string
	}
	var items []outItem
	for _, it := range sel.items {
		if it.star {
			if len(base.sources) == 0 {
				return nil, errOf(msg(263, 16, 1, "Must specify table to select from.")).abort()
			}
			matched := false
			for _, src := range base.sources {
				if it.starQual != "" && !eqFold(src.alias, it.starQual) && !eqFold(src.tname, it.starQual) {
					continue
				}
				matched = true
				for ci, c := range src.t.cols {
					items = append(items, outItem{col: c, star: src.offset + ci})
				}
			}
			if !matched {
				return nil, errOf(msg(4104, 16, 1, "The multi-part identifier \"%s\" could not be bound.", it.starQual)).abort()
			}
			continue
		}
		col, err := base.typeOf(it.e)
		if err != nil {
			return nil, err
		}
		col.Name = it.alias
		if col.Name == "" {
			if cr, ok := it.e.(*colRef); ok {
				col.Name = cr.parts[len(cr.parts)-1]
			}
		}
		col.Nullable = true
		items = append(items, outItem{e: it.e, col: col, star: -1, asVar: it.assignVar})
	}

	grouped := len(sel.groupBy) > 0 || sel.having != nil
	for _, it := range sel.items {
		if it.e != nil && hasAggregate(it.e) {
			grouped = true
		}
	}
	type unit struct {
		row   []any
		group [][]any
	}
	var units []unit
	if grouped {
		if len(sel.groupBy) == 0 {
			units = []unit{{group: rows}}
			if sel.from == nil {
				units = []unit{{group: [][]any{nil}}}
			}
		} else {
			idx := map[string]int{}
			for _, r := range rows {
				e := *base
				e.row = r
				var b strings.Builder
				for _, g := range sel.groupBy {
					v, err := e.eval(g)
					if err != nil {
						return nil, err
					}
					b.WriteString(valueKey(v))
					b.WriteByte(0)
				}
				k := b.String()
				if i, ok := idx[k]; ok {
					units[i].group = append(units[i].group, r)
				} else {
					idx[k] = len(units)
					units = append(units, unit{group: [][]any{r}})
				}
			}
		}
	} else {
		for _, r := range rows {
			units = append(units, unit{row: r})
		}
	}

	res := &selResult{}
	for _, it := range items {
		res.cols = append(res.cols, it.col)
	}
	for _, u := range units {
		e := *base
		e.row, e.group, e.aggOK = u.row, u.group, grouped
		if grouped && len(u.group) > 0 {
			e.row = u.group[0]
		}
		if grouped && sel.having != nil {
			v, err := e.eval(sel.having)
			if err != nil {
				return nil, err
			}
			if !truthy(v) {
				continue
			}
		}
		out := make([]any, len(items))
		for i, it := range items {
			if it.star >= 0 {
				out[i] = e.row[it.star]
				continue
			}
			v, err := e.eval(it.e)
			if err != nil {
				return nil, err
			}
			out[i] = v
		}
		var key []any
		if sortHere && len(order) > 0 {
			for _, oi := range order {
				if idx := outputIndex(oi.e, res.cols); idx >= 0 {
					if cr, ok := oi.e.(*colRef); !ok || len(cr.parts) == 1 {
						key = append(key, out[idx])
						continue
					}
				}
				v, err := e.eval(oi.e)
				if err != nil {
					return nil, err
				}
				key = append(key, v)
			}
		}
		res.rows = append(res.rows, out)
		res.keys = append(res.keys, key)
	}
	if sel.distinct {
		res.rows = distinctRows(res.rows)
		if len(order) > 0 && sortHere {
			// Recompute keys from output columns (DISTINCT requires ORDER BY items in the list).
			res.keys = nil
			for _, r := range res.rows {
				var k []any
				for _, oi := range order {
					idx := outputIndex(oi.e, res.cols)
					if idx < 0 {
						return nil, errOf(msg(145, 15, 1, "ORDER BY items must appear in the select list if SELECT DISTINCT is specified.")).abort()
					}
					k = append(k, r[idx])
				}
				res.keys = append(res.keys, k)
			}
		}
	}
	if sortHere && len(order) > 0 {
		sortRows(res, order)
	}
	// Assignment SELECT (@v = expr): the last row wins; no result set.
	assign := false
	for _, it := range items {
		if it.asVar != "" {
			assign = true
		}
	}
	if assign {
		for _, it := range items {
			if it.asVar == "" {
				return nil, errOf(msg(141, 15, 1, "A SELECT statement that assigns a value to a variable must not be combined with data-retrieval operations.")).abort()
			}
			if _, ok := sc.vars[it.asVar]; !ok {
				return nil, errOf(errMustDeclare(it.asVar)).abort()
			}
		}
		for _, r := range res.rows {
			for i, it := range items {
				sc.vars[it.asVar] = r[i]
			}
		}
		res.cols = nil
	}
	return res, nil
}

// joinRows joins the rows built so far (the sources before src) with src's table on j.
// An ON clause that holds an equality between an integer column of src and an integer
// column of the rows so far is a hash join: only the rows of src with the same key are
// evaluated against the whole ON clause. Every other join is a nested loop. Both give
// the same rows in the same order (SQL Server, with its indexes, answers such a join of
// msdb's history tables without reading each pair of rows; a nested loop over
// restorehistory x backupset x backupmediafamily took seconds once a run had restored
// a thousand log backups, time real servers do not spend).
func joinRows(base *env, rows [][]any, src source, j joinClause) ([][]any, *sqlError) {
	t := src.t
	candidates := func(l []any) [][]any { return t.rows }
	if left, right, ok := hashKeys(base, src, j.on); ok && intsOrNull(rows, left) && intsOrNull(t.rows, right-src.offset) {
		index := indexInts(t.rows, right-src.offset)
		candidates = func(l []any) [][]any {
			k, ok := l[left].(int64)
			if !ok {
				return nil // NULL equals nothing
			}
			return index[k]
		}
	}
	var joined [][]any
	for _, l := range rows {
		matched := false
		for _, r := range candidates(l) {
			row := append(append([]any(nil), l...), r...)
			if j.on != nil {
				e := *base
				e.row = row
				v, err := e.eval(j.on)
				if err != nil {
					return nil, err
				}
				if !truthy(v) {
					continue
				}
			}
			matched = true
			joined = append(joined, row)
		}
		if !matched && j.kind == "LEFT" {
			joined = append(joined, append(append([]any(nil), l...), make([]any, len(t.cols))...))
		}
	}
	return joined, nil
}

// hashKeys finds, in the AND-ed conditions of on, an equality between a column of src
// (right, an index into the joined row) and a column of the sources before it (left).
func hashKeys(base *env, src source, on expr) (left, right int, ok bool) {
	b, isBin := on.(*binExpr)
	if !isBin {
		return 0, 0, false
	}
	switch strings.ToUpper(b.op) {
	case "AND":
		if left, right, ok = hashKeys(base, src, b.l); ok {
			return left, right, true
		}
		return hashKeys(base, src, b.r)
	case "=":
	default:
		return 0, 0, false
	}
	lc, lok := b.l.(*colRef)
	rc, rok := b.r.(*colRef)
	if !lok || !rok {
		return 0, 0, false
	}
	a, err := base.findCol(lc.parts)
	if err != nil {
		return 0, 0, false
	}
	c, err := base.findCol(rc.parts)
	if err != nil {
		return 0, 0, false
	}
	inSrc := func(i int) bool { return i >= src.offset && i < src.offset+len(src.t.cols) }
	switch {
	case inSrc(c.idx) && !inSrc(a.idx):
		return a.idx, c.idx, true
	case inSrc(a.idx) && !inSrc(c.idx):
		return c.idx, a.idx, true
	}
	return 0, 0, false
}

// intsOrNull reports whether column col holds only int64 and NULL in rows (values of
// other types are compared by other rules, so such a column is not hashed).
func intsOrNull(rows [][]any, col int) bool {
	for _, r := range rows {
		if _, isInt := r[col].(int64); !isInt && r[col] != nil {
			return false
		}
	}
	return true
}

// indexInts maps each int64 value of column col to its rows, in table order (NULLs are
// left out: they equal nothing).
func indexInts(rows [][]any, col int) map[int64][][]any {
	index := make(map[int64][][]any, len(rows))
	for _, r := range rows {
		if v, ok := r[col].(int64); ok {
			index[v] = append(index[v], r)
		}
	}
	return index
}
