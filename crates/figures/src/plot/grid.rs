//! Several plots on one picture: [`Panel`] (any plot kind) and [`Grid`] (panels row by row).

use plotters::backend::DrawingBackend;
use plotters::coord::Shift;
use plotters::drawing::DrawingArea;

use super::{HistogramPlot, LinePlot, Plot, ScatterPlot};
use crate::error::{FigureError, Result};

/// One panel of a [`Grid`].
#[derive(Debug, Clone)]
pub enum Panel {
    /// A histogram panel.
    Histogram(HistogramPlot),
    /// A scatter panel.
    Scatter(ScatterPlot),
    /// A trajectory panel.
    Lines(LinePlot),
}

impl From<HistogramPlot> for Panel {
    fn from(p: HistogramPlot) -> Self {
        Panel::Histogram(p)
    }
}
impl From<ScatterPlot> for Panel {
    fn from(p: ScatterPlot) -> Self {
        Panel::Scatter(p)
    }
}
impl From<LinePlot> for Panel {
    fn from(p: LinePlot) -> Self {
        Panel::Lines(p)
    }
}

impl Plot for Panel {
    fn size(&self) -> (u32, u32) {
        match self {
            Panel::Histogram(p) => p.size(),
            Panel::Scatter(p) => p.size(),
            Panel::Lines(p) => p.size(),
        }
    }
    fn validate(&self) -> Result<()> {
        match self {
            Panel::Histogram(p) => p.validate(),
            Panel::Scatter(p) => p.validate(),
            Panel::Lines(p) => p.validate(),
        }
    }
    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>, scale: f64) -> Result<()> {
        match self {
            Panel::Histogram(p) => p.draw(area, scale),
            Panel::Scatter(p) => p.draw(area, scale),
            Panel::Lines(p) => p.draw(area, scale),
        }
    }
}

/// Panels on a grid, filled row by row (e.g. the paper's "(left)" and "(right)" panels with
/// `columns: 2`). Every cell has the size of the largest panel.
#[derive(Debug, Clone)]
pub struct Grid {
    /// The panels, row by row.
    pub panels: Vec<Panel>,
    /// Number of columns (at least 1).
    pub columns: usize,
}

impl Grid {
    /// Panels side by side in one row.
    pub fn row(panels: Vec<Panel>) -> Self {
        let columns = panels.len().max(1);
        Grid { panels, columns }
    }

    fn rows(&self) -> usize {
        self.panels.len().div_ceil(self.columns.max(1))
    }

    fn cell(&self) -> (u32, u32) {
        self.panels.iter().fold((1, 1), |(w, h), p| {
            let (pw, ph) = p.size();
            (w.max(pw), h.max(ph))
        })
    }
}

impl Plot for Grid {
    fn size(&self) -> (u32, u32) {
        let (w, h) = self.cell();
        (
            w.saturating_mul(self.columns.max(1) as u32),
            h.saturating_mul(self.rows() as u32),
        )
    }

    fn validate(&self) -> Result<()> {
        if self.panels.is_empty() {
            return Err(FigureError::invalid("grid has no panels"));
        }
        if self.columns == 0 {
            return Err(FigureError::invalid("grid has 0 columns"));
        }
        for (i, p) in self.panels.iter().enumerate() {
            p.validate()
                .map_err(|e| FigureError::invalid(format!("panel {i}: {e}")))?;
        }
        Ok(())
    }

    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>, scale: f64) -> Result<()> {
        let cells = area.split_evenly((self.rows(), self.columns));
        for (p, cell) in self.panels.iter().zip(cells.iter()) {
            p.draw(cell, scale)?;
        }
        Ok(())
    }
}
