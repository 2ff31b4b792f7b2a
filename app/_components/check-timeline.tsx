// The last 30 days of scheduled checks as a strip of days: green when every check passed, red when one failed,
// grey without checks; with the share that passed. Screen readers get the summary and each day in words.
import type { CheckTimeline } from "@/lib/watch/alert-settings";

export function CheckTimelineStrip({ timeline }: { timeline: CheckTimeline }) {
  const share = timeline.total ? Math.floor((timeline.passed / timeline.total) * 1000) / 10 : null;
  const summary =
    share === null
      ? "No scheduled checks in the last 30 days yet."
      : `Last 30 days: ${share}% of ${timeline.total} ${timeline.total === 1 ? "check" : "checks"} passed.`;
  return (
    <div className="mt-3" data-testid="check-timeline">
      <p className="text-xs font-medium" data-testid="check-share">
        {summary}
      </p>
      <ol className="mt-1.5 flex h-5 items-stretch gap-0.5" aria-label="Checks per day, oldest first">
        {timeline.days.map((d) => {
          const failed = d.total - d.passed;
          const words =
            d.total === 0
              ? "no checks"
              : failed === 0
                ? `${d.total} checks, all passed`
                : `${failed} of ${d.total} checks failed`;
          return (
            <li
              key={d.day}
              title={`${d.day}: ${words}`}
              className={`w-full max-w-3 rounded-sm ${d.total === 0 ? "bg-slate-300/60" : failed === 0 ? "bg-emerald-500" : d.passed > 0 ? "bg-amber-500" : "bg-red-500"}`}
            >
              <span className="sr-only">
                {d.day}: {words}
              </span>
            </li>
          );
        })}
      </ol>
    </div>
  );
}
