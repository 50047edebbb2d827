# Further analysis-plan cases in R's conventions, where ../shared/oracles/analysis leaves gaps.
# R 4.2.2, survival 3.5-3, cmprsk 2.2-11 (Debian r-cran-cmprsk). Run from this folder:
#   Rscript generate.R
# Writes CASE.csv and CASE.expected.json in the shape of the shared oracle (see its README), plus
# for the stratified case `strata` and the stratified `logrank`, and competing.expected.json.
#
# Expected behaviour where R and oncotrial deliberately differ (stated in each JSON's `notes`):
# - a subgroup value missing is the level "missing" (R would drop the row; we keep it, so R is
#   given the same data with NA replaced by "missing", last in level order);
# - a subgroup level with one arm or no events: R's loop skips it; oncotrial lists it with n,
#   events and null HR, so the expected `levels` here hold only the estimable ones;
# - an interaction test with 0 df (every interaction column aliased): R prints p = 1, oncotrial
#   gives null (nothing was tested).
suppressMessages({library(survival); library(jsonlite); library(cmprsk)})
num <- function(x) if (length(x) == 0 || is.na(x)) NULL else unname(x)

case <- function(name, d, covs, sub, strata = NULL, notes = character()) {
  write.csv(d, paste0(name, ".csv"), row.names = FALSE, na = "")
  d$group <- factor(d$group)
  res <- list(case = name, n = nrow(d), reference = levels(d$group)[1], covariates = I(covs),
              subgroup = sub, strata = strata, notes = notes)
  fu <- function(dd) { f <- survfit(Surv(time, 1 - event) ~ 1, data = dd, conf.type = "log")
    t <- summary(f)$table
    list(median = num(t[["median"]]), lower = num(t[["0.95LCL"]]), upper = num(t[["0.95UCL"]])) }
  res$followup <- list(overall = fu(d))
  for (g in levels(d$group)) res$followup[[g]] <- fu(d[d$group == g, ])
  st <- if (is.null(strata)) "" else paste0(" + strata(", strata, ")")
  fml <- as.formula(paste("Surv(time, event) ~ group +", paste(covs, collapse = " + "), st))
  fit <- coxph(fml, data = d, ties = "efron"); s <- summary(fit)
  terms <- list()
  for (i in seq_len(nrow(s$coefficients))) { rn <- rownames(s$coefficients)[i]
    terms[[rn]] <- list(coef = num(s$coefficients[i, "coef"]), hr = num(s$coefficients[i, "exp(coef)"]),
                        se = num(s$coefficients[i, "se(coef)"]), lower = num(s$conf.int[i, "lower .95"]),
                        upper = num(s$conf.int[i, "upper .95"]), p = num(s$coefficients[i, "Pr(>|z|)"])) }
  res$cox_adjusted <- list(n = fit$n, events = fit$nevent, terms = terms,
                           lr_chisq = unname(s$logtest[["test"]]), lr_df = unname(s$logtest[["df"]]),
                           lr_p = unname(s$logtest[["pvalue"]]))
  zph <- function(f) { z <- cox.zph(f, transform = "km", terms = TRUE)$table
    setNames(lapply(seq_len(nrow(z)), function(i) list(chisq = z[i, "chisq"], df = z[i, "df"], p = z[i, "p"])), rownames(z)) }
  f0 <- coxph(as.formula(paste("Surv(time, event) ~ group", st)), data = d, ties = "efron")
  res$ph_test <- list(unadjusted = zph(f0), adjusted = zph(fit))
  if (!is.null(strata)) {
    lr <- survdiff(as.formula(paste("Surv(time, event) ~ group + strata(", strata, ")")), data = d)
    res$logrank <- list(chisq = lr$chisq, df = length(lr$n) - 1,
                        p = pchisq(lr$chisq, length(lr$n) - 1, lower.tail = FALSE))
    res$cox <- list(hr = unname(exp(coef(f0))), p = unname(summary(f0)$coefficients[1, "Pr(>|z|)"]))
  }
  present <- sort(unique(d[[sub]][!is.na(d[[sub]])]))
  lv <- c(present, if (any(is.na(d[[sub]]))) "missing")
  d[[sub]] <- factor(ifelse(is.na(d[[sub]]), "missing", d[[sub]]), levels = lv)
  sg <- list()
  for (l in levels(d[[sub]])) { dd <- d[d[[sub]] == l, ]
    if (length(unique(dd$group)) < 2 || sum(dd$event) == 0) next
    f <- coxph(as.formula(paste("Surv(time, event) ~ group", st)), data = dd, ties = "efron"); ss <- summary(f)
    sg[[l]] <- list(n = nrow(dd), events = sum(dd$event), hr = ss$conf.int[1, "exp(coef)"],
                    lower = ss$conf.int[1, "lower .95"], upper = ss$conf.int[1, "upper .95"]) }
  m0 <- coxph(as.formula(paste("Surv(time, event) ~ group +", sub, st)), data = d, ties = "efron")
  m1 <- coxph(as.formula(paste("Surv(time, event) ~ group *", sub, st)), data = d, ties = "efron")
  a <- anova(m0, m1)
  df <- a[2, "Df"]
  res$subgroups <- list(variable = sub, levels = sg,
                        interaction = list(chisq = a[2, "Chisq"], df = df, p = if (df > 0) a[2, "Pr(>|Chi|)"] else NULL))
  writeLines(toJSON(res, auto_unbox = TRUE, digits = NA, null = "null", pretty = TRUE), paste0(name, ".expected.json"))
}

# 1. Heavy ties: integer months, events tied with events and with censorings; a missing age
#    (left out of the adjusted model, as na.omit) and missing PD-L1 results (level "missing").
set.seed(1401)
n <- 90
group <- rep(c("control", "experimental"), length.out = n)
age <- round(rnorm(n, 63, 8)); age[c(7, 40)] <- NA
stage <- sample(c("IIIB", "IVA", "IVB"), n, TRUE)
pdl1 <- sample(c("<1%", "1-49%", ">=50%"), n, TRUE); pdl1[c(3, 11, 25, 58, 77)] <- NA
t <- rexp(n, 0.09 * exp(-0.5 * (group == "experimental") + 0.3 * (stage == "IVB")))
cz <- runif(n, 4, 20)
d <- data.frame(time = ceiling(pmin(t, cz)), event = as.integer(t <= cz), group, age, stage, pdl1)
case("ties_heavy", d, c("age", "stage"), "pdl1",
     notes = c("times are whole months: many event/event and event/censoring ties (Efron)",
               "age missing for 2 subjects: left out of the adjusted model (R na.omit), counted",
               "pdl1 missing for 5 subjects: the level 'missing'"))

# 2. Stratified by site, one site without any event; a subgroup level without events.
set.seed(1402)
n <- 70
site <- rep(c("A", "B", "C"), c(30, 30, 10))
group <- rep(c("control", "experimental"), length.out = n)
ecog <- sample(0:1, n, TRUE)
t <- rexp(n, 0.1 * exp(-0.6 * (group == "experimental") + 0.5 * ecog + 0.4 * (site == "B")))
cz <- runif(n, 3, 24)
event <- as.integer(t <= cz)
event[site == "C"] <- 0L
histology <- ifelse(site == "C", "other", sample(c("adeno", "squamous"), n, TRUE))
d <- data.frame(time = round(pmin(t, cz), 1), event, group, ecog, site, histology)
case("stratum_no_events", d, c("ecog"), "histology", strata = "site",
     notes = c("site C has no events: it adds nothing to the stratified likelihood or log-rank",
               "histology 'other' (site C) has no events: listed with a null HR, skipped by R"))

# 3. A subgroup level with one arm only (its interaction column is aliased), and a covariate
#    constant in the data (aliased: NA in R).
set.seed(1403)
n <- 60
group <- rep(c("control", "experimental"), length.out = n)
region <- rep(c("north", "north", "south", "east", "east", "east"), length.out = n)  # south: control only
prior <- rep(0L, n)
age <- round(rnorm(n, 60, 10))
t <- rexp(n, 0.08 * exp(-0.4 * (group == "experimental")))
cz <- runif(n, 5, 25)
d <- data.frame(time = round(pmin(t, cz), 1), event = as.integer(t <= cz), group, age, prior, region)
case("constant_within_subgroup", d, c("age", "prior"), "region",
     notes = c("region 'south' holds control subjects only: no HR, its interaction column is aliased (df 1, not 2)",
               "prior is 0 for everyone: aliased with the baseline hazard, coefficient null (R: NA)"))

# 4. Competing risks: local failure (1) versus death without local failure (2), by arm.
#    cmprsk::cuminc gives the Aalen-Johansen cumulative incidence and Gray's test;
#    survfit with a multi-state factor gives the same estimate with its standard error.
set.seed(1404)
n <- 80
arm <- rep(c("control", "radiotherapy"), length.out = n)
tl <- rexp(n, 0.05 * ifelse(arm == "radiotherapy", 0.5, 1)); td <- rexp(n, 0.03); cz <- runif(n, 6, 30)
time <- round(pmin(tl, td, cz))
status <- ifelse(time == round(tl) & tl <= pmin(td, cz), 1L, ifelse(td <= cz & td < tl, 2L, 0L))
status[time == 0] <- 0L; time[time == 0] <- 1
d <- data.frame(time, status, arm)
write.csv(d, "competing.csv", row.names = FALSE)
ci <- cuminc(d$time, d$status, d$arm, cencode = 0)
times <- c(3, 6, 12, 18, 24)
tp <- timepoints(ci, times)
fit <- survfit(Surv(time, factor(status, 0:2, c("censor", "local", "death"))) ~ arm, data = d)
sm <- summary(fit, times = times, extend = TRUE)
aj <- list()
for (a in c("control", "radiotherapy")) { rows <- sm$strata == paste0("arm=", a)
  aj[[a]] <- list(time = sm$time[rows], local = unname(sm$pstate[rows, 2]), death = unname(sm$pstate[rows, 3]),
                  local_se = unname(sm$std.err[rows, 2]), cuminc_var = unname(tp$var[paste(a, 1), ])) }
gray <- ci$Tests
# Three groups, two strata, ties of both causes: Gray's test with k - 1 = 2 df summed over strata.
set.seed(1405)
n3 <- 120
g3 <- rep(c("A", "B", "C"), length.out = n3); st3 <- rep(c("s1", "s2"), each = n3 / 2)
t1 <- rexp(n3, 0.06 * c(A = 1, B = 0.6, C = 1.4)[g3]); t2 <- rexp(n3, 0.04); c3 <- runif(n3, 5, 30)
time3 <- ceiling(pmin(t1, t2, c3)); status3 <- ifelse(t1 <= pmin(t2, c3), 1L, ifelse(t2 <= c3, 2L, 0L))
d3 <- data.frame(time = time3, status = status3, group = g3, stratum = st3)
write.csv(d3, "competing3.csv", row.names = FALSE)
g3t <- cuminc(d3$time, d3$status, d3$group, d3$stratum, cencode = 0)$Tests
g3r <- cuminc(d3$time, d3$status, d3$group, rho = 1, cencode = 0)$Tests
out <- list(case = "competing", times = times, aalen_johansen = aj,
            gray = list(local = list(stat = gray["1", "stat"], p = gray["1", "pv"], df = gray["1", "df"]),
                        death = list(stat = gray["2", "stat"], p = gray["2", "pv"], df = gray["2", "df"])),
            gray_three_groups_stratified = list(stat = g3t["1", "stat"], p = g3t["1", "pv"], df = g3t["1", "df"]),
            gray_three_groups_rho1 = list(stat = g3r["1", "stat"], p = g3r["1", "pv"], df = g3r["1", "df"]),
            notes = c("status 1 = local failure, 2 = death without local failure, 0 = censored",
                      "cumulative incidence: cmprsk::cuminc (= survfit multi-state pstate); Gray's test: cmprsk::cuminc$Tests (rho = 0)"))
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, pretty = TRUE), "competing.expected.json")

# 5. Exposure-adjusted incidence rates: exact Poisson interval of x events over T patient-years
#    (R poisson.test), reported per 100 patient-years.
pois <- data.frame(x = c(0, 1, 7, 23, 150), t = c(12.5, 3.2, 41.7, 18.25, 96.3))
rows <- lapply(seq_len(nrow(pois)), function(i) { p <- poisson.test(pois$x[i], pois$t[i])
  list(events = pois$x[i], years = pois$t[i], rate = unname(p$estimate), lower = p$conf.int[1], upper = p$conf.int[2]) })
writeLines(toJSON(rows, auto_unbox = TRUE, digits = NA, pretty = TRUE), "poisson.expected.json")

# 6. Quality of life: change from baseline of a 0-100 score, compared between arms at each visit
#    by ANCOVA (lm(change ~ arm + baseline)), with dropout that differs between arms (the
#    experimental arm loses more patients) and one intermittent missing questionnaire.
set.seed(1406)
n <- 60
arm <- rep(c("control", "radiotherapy"), length.out = n)
base <- round(pmin(100, pmax(0, rnorm(n, 62, 15))))
visits <- c("WEEK 6", "WEEK 12", "WEEK 24")
rows <- list()
for (i in seq_len(n)) {
  rows[[length(rows) + 1]] <- data.frame(USUBJID = sprintf("S%02d", i), ARM = arm[i], QSTESTCD = "QLQGHS",
                                         VISIT = "BASELINE", VISITNUM = 0, QSSTRESN = base[i], QSBLFL = "Y")
  last <- if (arm[i] == "radiotherapy") sample(1:3, 1, prob = c(.2, .3, .5)) else sample(1:3, 1, prob = c(.1, .2, .7))
  if (i == 5) last <- 3
  for (k in seq_len(last)) {
    if (i == 5 && k == 2) next  # an intermittent gap
    score <- round(pmin(100, pmax(0, base[i] + rnorm(1, (arm[i] == "radiotherapy") * -4 - 2 * k, 12))))
    rows[[length(rows) + 1]] <- data.frame(USUBJID = sprintf("S%02d", i), ARM = arm[i], QSTESTCD = "QLQGHS",
                                           VISIT = visits[k], VISITNUM = k, QSSTRESN = score, QSBLFL = "")
  }
}
qs <- do.call(rbind, rows)
write.csv(qs, "qol.csv", row.names = FALSE, na = "")
b <- qs[qs$QSBLFL == "Y", c("USUBJID", "QSSTRESN")]; names(b)[2] <- "base"
anc <- list()
for (v in visits) {
  d <- merge(qs[qs$VISIT == v, ], b, by = "USUBJID"); d$change <- d$QSSTRESN - d$base
  d$ARM <- factor(d$ARM, levels = c("control", "radiotherapy"))
  f <- lm(change ~ ARM + base, data = d); s <- summary(f)$coefficients; ci <- confint(f)["ARMradiotherapy", ]
  anc[[v]] <- list(n = nrow(d), difference = s["ARMradiotherapy", "Estimate"], se = s["ARMradiotherapy", "Std. Error"],
                   lower = ci[[1]], upper = ci[[2]], p = s["ARMradiotherapy", "Pr(>|t|)"])
}
obs <- table(factor(qs$ARM[qs$QSBLFL != "Y"]), factor(qs$VISIT[qs$QSBLFL != "Y"], levels = visits))
pattern <- sapply(split(qs, qs$USUBJID), function(s) { p <- visits %in% s$VISIT
  if (all(p)) "complete" else if (!any(p)) "none" else if (min(which(!p)) > max(which(p))) "monotone" else "intermittent" })
arms <- tapply(qs$ARM, qs$USUBJID, `[`, 1)
pat <- table(factor(arms[names(pattern)]), factor(pattern, levels = c("complete", "monotone", "intermittent", "none")))
writeLines(toJSON(list(case = "qol", ancova = anc,
                       observed = lapply(split(as.data.frame(obs), as.data.frame(obs)$Var1), function(x) setNames(as.list(x$Freq), as.character(x$Var2))),
                       patterns = lapply(split(as.data.frame(pat), as.data.frame(pat)$Var1), function(x) setNames(as.list(x$Freq), as.character(x$Var2))),
                       notes = "lm(change ~ arm + baseline) per visit; control is the reference"),
                  auto_unbox = TRUE, digits = NA, pretty = TRUE), "qol.expected.json")
