//! Clipping of polylines to the axes rectangle (Liang-Barsky).

/// Clip a polyline to the rectangle `x` x `y` (Liang-Barsky per segment); returns the visible
/// pieces.
pub(crate) fn clip_polyline(
    pts: &[(f64, f64)],
    x: (f64, f64),
    y: (f64, f64),
) -> Vec<Vec<(f64, f64)>> {
    let mut out: Vec<Vec<(f64, f64)>> = Vec::new();
    let mut cur: Vec<(f64, f64)> = Vec::new();
    if pts.len() == 1 {
        let p = pts[0];
        if p.0 >= x.0 && p.0 <= x.1 && p.1 >= y.0 && p.1 <= y.1 {
            out.push(vec![p]);
        }
        return out;
    }
    for w in pts.windows(2) {
        let (a, b) = (w[0], w[1]);
        match clip_segment(a, b, x, y) {
            Some((p, q)) => {
                if cur.last() != Some(&p) {
                    if cur.len() >= 2 {
                        out.push(std::mem::take(&mut cur));
                    }
                    cur.clear();
                    cur.push(p);
                }
                cur.push(q);
            }
            None => {
                if cur.len() >= 2 {
                    out.push(std::mem::take(&mut cur));
                }
                cur.clear();
            }
        }
    }
    if cur.len() >= 2 {
        out.push(cur);
    }
    out
}

fn clip_segment(
    a: (f64, f64),
    b: (f64, f64),
    (x0, x1): (f64, f64),
    (y0, y1): (f64, f64),
) -> Option<((f64, f64), (f64, f64))> {
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    let (mut t0, mut t1) = (0.0f64, 1.0f64);
    for (p, q) in [
        (-dx, a.0 - x0),
        (dx, x1 - a.0),
        (-dy, a.1 - y0),
        (dy, y1 - a.1),
    ] {
        if p == 0.0 {
            if q < 0.0 {
                return None;
            }
        } else {
            let r = q / p;
            if p < 0.0 {
                t0 = t0.max(r);
            } else {
                t1 = t1.min(r);
            }
        }
    }
    if t0 > t1 {
        return None;
    }
    let at = |t: f64| {
        if t == 0.0 {
            a
        } else if t == 1.0 {
            b
        } else {
            (a.0 + t * dx, a.1 + t * dy)
        }
    };
    Some((at(t0), at(t1)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clipping() {
        let x = (0.0, 1.0);
        let y = (0.0, 1.0);
        let p = clip_polyline(&[(-1.0, 0.5), (2.0, 0.5)], x, y);
        assert_eq!(p, vec![vec![(0.0, 0.5), (1.0, 0.5)]]);
        let p = clip_polyline(&[(0.2, 0.2), (0.4, 2.0), (0.6, 0.2)], x, y);
        assert_eq!(p.len(), 2);
        assert!(clip_polyline(&[(2.0, 2.0), (3.0, 3.0)], x, y).is_empty());
        let p = clip_polyline(&[(0.1, 0.1), (0.2, 0.2), (0.3, 0.3)], x, y);
        assert_eq!(p, vec![vec![(0.1, 0.1), (0.2, 0.2), (0.3, 0.3)]]);
    }
}
