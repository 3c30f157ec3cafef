#!/bin/sh
# synth-stats.sh: the statistics of the 10,000-frame test video of each
# dataset, beside the published ones of the original
# generators (mean of 20 simulated runs).
#
#   sh pipelines/synth-stats.sh               one video per dataset, seed 1
#   SEEDS="1 2 3 4 5" sh pipelines/synth-stats.sh   mean and sd over seeds
#   FRAMES=2000 ...                            a shorter video
#
# Box counts, tracks, lifetimes, objects per frame and sizes are recomputed
# from the written gt/gt.txt (and checked against the tool's own --stats);
# overlap, occlusion and gaps come from mots-synth --stats. MNIST is
# skipped when the digits are missing (make data).
BIN=${BIN:-bin}
FRAMES=${FRAMES:-10000}
SEEDS=${SEEDS:-1}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM
out=$tmp/values   # lines: dataset key value

for ds in mnist sprites; do
	for seed in $SEEDS; do
		d=$tmp/$ds-$seed
		if ! "$BIN/mots-synth" --dataset $ds -o "$d" --frames "$FRAMES" --seed "$seed" \
			--stats -q >"$d.stats" 2>"$d.err"; then
			echo "synth-stats: $ds: $(cat "$d.err")" >&2
			continue
		fi
		# From the files: gt.txt rows are frame,id,left,top,w,h,...
		awk -F, -v ds=$ds -v N="$FRAMES" -v W=128 -v H=128 '
		{ n[$1]++; len[$2]++; last[$2] = $1; if (!first || $1 < first) first = $1
		  w = $5 + 0; h = $6 + 0; rows++
		  if (!minw || w < minw) minw = w; if (w > maxw) maxw = w
		  if (!minh || h < minh) minh = h; if (h > maxh) maxh = h
		  if ($3 < 1 || $4 < 1 || $3 + w - 1 > W || $4 + h - 1 > H) beyond++ }
		END {
		  for (i in len) { ids++; if (last[i] < N) { c++; s += len[i]
		      if (!lmin || len[i] < lmin) lmin = len[i]; if (len[i] > lmax) lmax = len[i] } }
		  for (f = 1; f <= N; f++) k[n[f] + 0]++
		  print ds, "boxes", rows; print ds, "tracks", ids
		  print ds, "objects_per_frame", rows / N
		  for (j = 0; j <= 3; j++) print ds, "frames_with_" j "_pct", 100 * k[j] / N
		  print ds, "first_visible_frame", first
		  print ds, "track_length_min", lmin; print ds, "track_length_max", lmax
		  print ds, "track_length_mean", s / c
		  print ds, "box_height_min", minh; print ds, "box_height_max", maxh
		  print ds, "box_width_min", minw; print ds, "box_width_max", maxw
		  print ds, "boxes_beyond_frame_pct", 100 * beyond / rows
		}' "$d/gt/gt.txt" >>"$out"
		mots=$(wc -l <"$d/gt/gt_mots.txt")
		echo "$ds mask_lines $mots" >>"$out"
		# From --stats: "key value [pct%]"
		awk -v ds=$ds '
		$1 == "gap_min" || $1 == "gap_mean" || $1 == "pairs" || $1 == "pairs_iou50" ||
		$1 == "boxes_95pct_hidden" { print ds, $1, $2 }
		$1 == "pairs_overlap" || $1 == "occluded_boxes" || $1 == "boxes_under_half_visible" {
			sub("%", "", $3); print ds, $1 "_pct", $3 }
		$1 == "boxes" { print ds, "stats_boxes", $2 }
		$1 == "tracks" { print ds, "stats_tracks", $2 }' "$d.stats" >>"$out"
		rm -rf "$d"
	done
done

[ -s "$out" ] || { echo "synth-stats: no video made" >&2; exit 1; }
echo "synth-stats: $FRAMES frames, seeds: $SEEDS (mean, and sd when several)"
awk '
BEGIN {
  # key, label, and the published MNIST and Sprites values
  split("boxes|GT boxes (rows of gt.txt)|22188 +-38|22105 +-35;" \
    "tracks|unique object IDs|978.1 +-1.6|988.4 +-2.0;" \
    "objects_per_frame|objects per frame|2.22|2.21;" \
    "frames_with_0_pct|frames with 0 objects (%)|1.7|1.9;" \
    "frames_with_1_pct|frames with 1 object (%)|15.1|15.4;" \
    "frames_with_2_pct|frames with 2 objects (%)|42.9|42.6;" \
    "frames_with_3_pct|frames with 3 objects (%)|40.4|40.2;" \
    "first_visible_frame|first frame with an object (7 or later)|7 (1-6 empty)|7 (1-6 empty);" \
    "track_length_min|complete track length, min|21|21;" \
    "track_length_max|complete track length, max|30|29;" \
    "track_length_mean|complete track length, mean|22.7|22.4;" \
    "gap_min|gap between objects of a slot, min|7|7;" \
    "gap_mean|gap between objects of a slot, mean|8.0|8.0;" \
    "pairs|same-frame pairs|16393|16309;" \
    "pairs_overlap_pct|pairs with box IoU > 0 (%)|22|14;" \
    "pairs_iou50|pairs with box IoU >= 0.5|287|159;" \
    "boxes_beyond_frame_pct|boxes beyond the frame (%)|9.8|1.6;" \
    "box_height_min|box height, min|28|17;" \
    "box_height_max|box height, max|28|25;" \
    "box_width_min|box width, min|28|17;" \
    "box_width_max|box width, max|28|26;" \
    "occluded_boxes_pct|Sprites: boxes with visible alpha < 99% (%)|-|6.9;" \
    "boxes_under_half_visible_pct|Sprites: boxes < 50% visible (%)|-|1.1;" \
    "boxes_95pct_hidden|Sprites: boxes >= 95% hidden|-|13;" \
    "mask_lines|gt_mots.txt lines (visible objects)|-|-", rows, ";")
}
{ k = $1 SUBSEP $2; n[k]++; s[k] += $3; q[k] += $3 * $3 }
function cell(ds, key,   k, m, sd) {
  k = ds SUBSEP key
  if (!n[k]) return "n/a"
  m = s[k] / n[k]
  if (n[k] < 2) return sprintf("%.5g", m)
  sd = q[k] / n[k] - m * m; sd = sd > 0 ? sqrt(sd * n[k] / (n[k] - 1)) : 0
  return sprintf("%.5g +-%s", m, sd >= 10 ? sprintf("%.0f", sd) : sprintf("%.2g", sd))
}
END {
  printf "%-44s %-15s %-15s %-15s %-15s\n", "statistic", "MNIST ours", "published", "Sprites ours", "published"
  for (i = 1; i in rows; i++) {
    split(rows[i], r, "|")
    if (r[3] == "-" && r[1] != "mask_lines") mn = "-"; else mn = cell("mnist", r[1])
    printf "%-44s %-15s %-15s %-15s %-15s\n", r[2], mn, r[3], cell("sprites", r[1]), r[4]
  }
  for (d = 0; d < 2; d++) {
    ds = d ? "sprites" : "mnist"
    if (n[ds SUBSEP "boxes"] && (s[ds SUBSEP "boxes"] != s[ds SUBSEP "stats_boxes"] ||
        s[ds SUBSEP "tracks"] != s[ds SUBSEP "stats_tracks"])) {
      print "synth-stats: " ds ": gt.txt disagrees with --stats" > "/dev/stderr"; bad = 1 }
  }
  exit bad
}' "$out"
