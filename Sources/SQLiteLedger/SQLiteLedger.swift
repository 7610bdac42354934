// SQLite ledger (issue 4).
import CSQLite
