-- An alert email whose recipient, by its turn, is no longer an owner or admin or has turned alert emails off is
-- skipped, and listed as such. (On SQLite the status is TEXT: nothing to change.)
ALTER TYPE "AlertDeliveryStatus" ADD VALUE IF NOT EXISTS 'SKIPPED';
