#!/usr/bin/env Rscript
# R's forecast package on one M3 subset: the reference the C++ benchmark (bench/m3_accuracy) scores
# with its own code, next to our models. Run by the benchmark with --r; by hand:
#
#   Rscript --vanilla bench/r/m3_reference.R --data bench/data/m3/monthly --subset monthly \
#     --model ets --every 10 --out /tmp/r-ets-monthly
#
# --model: ets (forecast(ets(y))), thetaf (thetaf(y)) or auto.arima (forecast(auto.arima(y))), all
# with their defaults, levels 80 and 95, h = the series' horizon, frequency = its period.
# --every N keeps the 1st, (N+1)th, ... series of meta.csv (the C++ side samples the same way).
# Writes to --out:
#   forecasts.csv  model,series_id,step,mean,lo80,hi80,lo95,hi95
#   timing.csv     model,subset,series,elapsed_seconds,cpu_seconds,failed,r_version,forecast_version
#   errors.csv     series_id,message (series R failed on; they are absent from forecasts.csv)
# The seconds cover fitting and forecasting only (not reading or writing files), one thread.
suppressPackageStartupMessages(library(forecast))

args <- commandArgs(trailingOnly = TRUE)
arg <- function(name, default = NULL) {
  i <- match(paste0("--", name), args)
  if (is.na(i) || i == length(args)) {
    if (is.null(default)) stop("missing --", name)
    return(default)
  }
  args[i + 1]
}
data_dir <- arg("data")
subset <- arg("subset", basename(data_dir))
model <- arg("model")
every <- as.integer(arg("every", "1"))
out_dir <- arg("out")
if (!(model %in% c("ets", "thetaf", "auto.arima"))) stop("unknown --model ", model)
dir.create(out_dir, showWarnings = FALSE, recursive = TRUE)

meta <- read.csv(file.path(data_dir, "meta.csv"), stringsAsFactors = FALSE)
train <- read.csv(file.path(data_dir, "train.csv"), stringsAsFactors = FALSE)
meta <- meta[seq(1, nrow(meta), by = every), , drop = FALSE]
train <- train[order(train$series_id, train$t), ]
values <- split(train$value, train$series_id)

series <- lapply(seq_len(nrow(meta)), function(i) {
  start <- suppressWarnings(as.integer(strsplit(meta$start[i], "-")[[1]]))
  if (length(start) < 1 || any(is.na(start))) start <- 1
  if (meta$period[i] == 1) start <- start[1]
  ts(values[[meta$series_id[i]]], frequency = meta$period[i], start = start)
})

fit_one <- function(y, h) {
  switch(model,
    ets = forecast(ets(y), h = h, level = c(80, 95)),
    thetaf = thetaf(y, h = h, level = c(80, 95)),
    auto.arima = forecast(auto.arima(y), h = h, level = c(80, 95)))
}

set.seed(20240611)
n <- nrow(meta)
results <- vector("list", n)
errors <- character(n)
started <- proc.time()
last_report <- started[["elapsed"]]
for (i in seq_len(n)) {
  results[[i]] <- tryCatch(fit_one(series[[i]], meta$horizon[i]),
                           error = function(e) { errors[i] <<- conditionMessage(e); NULL })
  now <- proc.time()[["elapsed"]]
  if (now - last_report > 60) {
    message(sprintf("R %s %s: %d/%d series, %.0f s", model, subset, i, n,
                    now - started[["elapsed"]]))
    last_report <- now
  }
}
used <- proc.time() - started

num <- function(x) sprintf("%.15g", x)
lines <- unlist(lapply(seq_len(n), function(i) {
  fc <- results[[i]]
  if (is.null(fc)) return(character(0))
  h <- meta$horizon[i]
  lower <- matrix(as.numeric(fc$lower), nrow = h)
  upper <- matrix(as.numeric(fc$upper), nrow = h)
  paste(model, meta$series_id[i], seq_len(h), num(as.numeric(fc$mean)), num(lower[, 1]),
        num(upper[, 1]), num(lower[, 2]), num(upper[, 2]), sep = ",")
}))
writeLines(c("model,series_id,step,mean,lo80,hi80,lo95,hi95", lines),
           file.path(out_dir, "forecasts.csv"))
failed <- which(errors != "")
writeLines(c("series_id,message",
             paste(meta$series_id[failed], gsub("[,\n]", " ", errors[failed]), sep = ",")[
               seq_along(failed)]),
           file.path(out_dir, "errors.csv"))
timing <- data.frame(model = model, subset = subset, series = n,
                     elapsed_seconds = sprintf("%.3f", used[["elapsed"]]),
                     cpu_seconds = sprintf("%.3f", used[["user.self"]] + used[["sys.self"]]),
                     failed = length(failed),
                     r_version = paste(R.version$major, R.version$minor, sep = "."),
                     forecast_version = as.character(packageVersion("forecast")))
write.csv(timing, file.path(out_dir, "timing.csv"), row.names = FALSE, quote = FALSE)
message(sprintf("R %s %s: %d series in %.1f s (%d failed)", model, subset, n, used[["elapsed"]],
                length(failed)))
