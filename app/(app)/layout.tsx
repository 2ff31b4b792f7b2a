// Static on purpose: each page checks the member itself (requireMember, or the JSON route behind a static
// page), and the header loads who is signed in on its own.
import { AppHeader } from "./app-header";

export default function AppLayout({ children }: { children: React.ReactNode }) {
  return (
    <div className="min-h-screen">
      <AppHeader />
      <main id="main" className="mx-auto max-w-5xl px-4 py-8">
        {children}
      </main>
    </div>
  );
}
