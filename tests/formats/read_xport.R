# Read every SAS transport file of a folder with R's foreign::read.xport (the independent reader
# of oncotrial's XPT files) and write names, labels, widths, formats and values as JSON.
# Numbers are written with 17 significant digits so that the doubles compare exactly.
# Usage: Rscript read_xport.R FOLDER OUT.json
library(foreign)
library(jsonlite)
args <- commandArgs(trailingOnly = TRUE)
files <- list.files(args[1], pattern = "\\.xpt$", full.names = TRUE)
out <- list()
for (f in files) {
  info <- lookup.xport(f)
  data <- read.xport(f)
  values <- lapply(data, function(v) {
    if (is.numeric(v)) ifelse(is.na(v), NA, sprintf("%.17g", v)) else v
  })
  out[[basename(f)]] <- list(
    dataset = names(info)[1],
    names = info[[1]]$name,
    labels = info[[1]]$label,
    widths = info[[1]]$width,
    types = info[[1]]$type,
    formats = info[[1]]$format,
    rows = nrow(data),
    values = values
  )
}
write_json(out, args[2], na = "null", auto_unbox = FALSE, digits = NA)
