"use client";
export default function GlobalError({ error }: { error: Error & { digest?: string } }) {
  return (
    <html lang="en">
      <body style={{ fontFamily: "system-ui, sans-serif", padding: "3rem", color: "#0f172a" }}>
        <h1>Something went wrong</h1>
        <p>We could not load this page. Please try again in a moment.</p>
        {error.digest && <p style={{ color: "#64748b", fontSize: 12 }}>Reference: {error.digest}</p>}
      </body>
    </html>
  );
}
