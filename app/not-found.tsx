import Link from "next/link";
import { AuthPanel } from "@/app/_components/card";

export default function NotFound() {
  return (
    <AuthPanel title="Page not found" description="The page you asked for does not exist or has moved.">
      <div className="flex gap-3">
        <Link
          href="/"
          className="rounded-md bg-brand-700 px-4 py-2 text-sm font-semibold text-white hover:bg-brand-800"
        >
          Go to dashboard
        </Link>
        <Link
          href="/help"
          className="rounded-md px-4 py-2 text-sm font-semibold text-brand-700 ring-1 ring-brand-100 hover:bg-brand-50"
        >
          Help
        </Link>
      </div>
    </AuthPanel>
  );
}
