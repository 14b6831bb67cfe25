package sqlsim

import (
	"fmt"

	"pcfailover/core/sqlsim/tds"
)

// sqlError is an error raised by a statement: one or more messages sent in order
// (for example 4305 then 3013). The statement then fails (DONE_ERROR).
type sqlError struct {
	msgs []tds.Message
	// abortBatch is true for errors that end the batch (severity >= 16 compile errors,
	// 927 on USE, ...); SQL Server continues after most statement-level errors.
	abortBatch bool
}

func (e *sqlError) Error() string {
	if len(e.msgs) == 0 {
		return "sql error"
	}
	return fmt.Sprintf("%s (%d)", e.msgs[len(e.msgs)-1].Text, e.msgs[len(e.msgs)-1].Number)
}

func msg(number int32, class, state uint8, format string, args ...any) tds.Message {
	return tds.Message{Number: number, Class: class, State: state, Text: fmt.Sprintf(format, args...)}
}

func errOf(msgs ...tds.Message) *sqlError { return &sqlError{msgs: msgs} }

// terminating is 3013 for the given operation ("RESTORE LOG", "BACKUP DATABASE", ...).
func terminating(op string) tds.Message {
	return msg(3013, 16, 1, "%s is terminating abnormally.", op)
}

// withTerm appends 3013 to a restore/backup error, as SQL Server does.
func withTerm(op string, m ...tds.Message) *sqlError {
	return errOf(append(m, terminating(op))...)
}

// Catalogue of the messages the simulator raises. Texts follow the SQL Server message
// tables quoted in shared/docs/reference/sql-log-shipping.md §3.4 / §3.5 and
// tds-server.md (appendix). States are those commonly seen in SQL Server output.

func errSyntax(near string) tds.Message {
	return msg(102, 15, 1, "Incorrect syntax near '%s'.", near)
}

func errNoProc(name string) tds.Message {
	return msg(2812, 16, 62, "Could not find stored procedure '%s'.", name)
}

func errInvalidObject(name string) tds.Message {
	return msg(208, 16, 1, "Invalid object name '%s'.", name)
}

func errInvalidColumn(name string) tds.Message {
	return msg(207, 16, 1, "Invalid column name '%s'.", name)
}

func errAmbiguousColumn(name string) tds.Message {
	return msg(209, 16, 1, "Ambiguous column name '%s'.", name)
}

func errMustDeclare(name string) tds.Message {
	return msg(137, 15, 2, "Must declare the scalar variable \"%s\".", name)
}

func errNotBuiltin(name string) tds.Message {
	return msg(195, 15, 10, "'%s' is not a recognized built-in function name.", name)
}

func errDBNotExist(name string) tds.Message {
	return msg(911, 16, 1, "Database '%s' does not exist. Make sure that the name is entered correctly.", name)
}

func errDBNotExistDrop(name string) tds.Message {
	return msg(3701, 11, 1, "Cannot drop the database '%s', because it does not exist or you do not have permission.", name)
}

func errInRestore(name string) tds.Message {
	return msg(927, 14, 2, "Database '%s' cannot be opened. It is in the middle of a restore.", name)
}

func errDBOffline(name string) tds.Message {
	return msg(942, 14, 4, "Database '%s' cannot be opened because it is offline.", name)
}

func errConversion(from, to string) tds.Message {
	return msg(245, 16, 1, "Conversion failed when converting the %s value '%s' to data type int.", to, from)
}

func errProcPermission(proc string) tds.Message {
	return msg(229, 14, 5, "The EXECUTE permission was denied on the object '%s', database 'master', schema 'sys'.", proc)
}

func errLoginFailed(user string) tds.Message {
	return msg(18456, 14, 1, "Login failed for user '%s'.", user)
}

func errCannotOpenLoginDB(name string) tds.Message {
	return msg(4060, 11, 1, "Cannot open database \"%s\" requested by the login. The login failed.", name)
}

// RESTORE / BACKUP family (reference §3.4).

func errTooRecent(first, need string) tds.Message {
	return msg(4305, 16, 1, "The log in this backup set begins at LSN %s, which is too recent to apply to the database. An earlier log backup that includes LSN %s can be restored.", first, need)
}

func errTooEarly(last, need string) tds.Message {
	return msg(4326, 16, 1, "The log in this backup set terminates at LSN %s, which is too early to apply to the database. A more recent log backup that includes LSN %s can be restored.", last, need)
}

func errForkMismatch() tds.Message {
	return msg(4330, 16, 1, "This backup set cannot be applied because it is on a recovery path that is inconsistent with the database. The recovery path is the sequence of data and log backups that have brought the database to a particular recovery point. Find a compatible backup to restore, or restore the rest of the database to match a recovery point within this backup set, which will restore the database to a different point in time. For more information about recovery paths, see SQL Server Books Online.")
}

func errExclusive() tds.Message {
	return msg(3101, 16, 1, "Exclusive access could not be obtained because the database is in use.")
}

func errOwnSession(op, db string) tds.Message {
	return msg(3102, 16, 1, "%s cannot process database '%s' because it is in use by this session. It is recommended that the master database be used when performing this operation.", op, db)
}

func errNoRollforward() tds.Message {
	return msg(3117, 16, 4, "The log or differential backup cannot be restored because no files are ready to rollforward.")
}

func errDBNotExistRestore(name string) tds.Message {
	return msg(3118, 16, 1, "The database \"%s\" does not exist. RESTORE can only create a database when restoring either a full backup or a file backup of the primary file.", name)
}

func errAlreadyRecovered() tds.Message {
	return msg(3153, 16, 2, "The database is already fully recovered.")
}

func errOtherDatabase(name string) tds.Message {
	return msg(3154, 16, 4, "The backup set holds a backup of a database other than the existing '%s' database.", name)
}

func errTailNotBackedUp(name string) tds.Message {
	return msg(3159, 16, 1, "The tail of the log for the database \"%s\" has not been backed up. Use BACKUP LOG WITH NORECOVERY to backup the log if it contains work you do not want to lose. Use the WITH REPLACE or WITH STOPAT clause of the RESTORE statement to just overwrite the contents of the log.", name)
}

// osError texts as SQL Server prints them inside 3201/3203.
const (
	osFileNotFound = "2(The system cannot find the file specified.)"
	osPathNotFound = "3(The system cannot find the path specified.)"
	osAccessDenied = "5(Access is denied.)"
	osEOF          = "38(Reached the end of the file.)"
)

func errOpenDevice(path, oserr string) tds.Message {
	return msg(3201, 16, 2, "Cannot open backup device '%s'. Operating system error %s.", path, oserr)
}

func errReadFailed(path, oserr string) tds.Message {
	return msg(3203, 16, 1, "Read on \"%s\" failed: %s", path, oserr)
}

func errMalformed(path string) tds.Message {
	return msg(3241, 16, 0, "The media family on device '%s' is incorrectly formed. SQL Server cannot process this media family.", path)
}

func errPageDamage(file, page int, db string) tds.Message {
	return msg(3183, 16, 2, "RESTORE detected an error on page (%d:%d) in database \"%s\" as read from the backup set.", file, page, db)
}

func errDamagedSet() tds.Message {
	return msg(3186, 16, 1, "The backup set has been damaged. RESTORE will not attempt to apply this backup set.")
}

func errInTran() tds.Message {
	return msg(3021, 16, 0, "Cannot perform a backup or restore operation within a transaction.")
}

func errWarmStandbyBackup(name string) tds.Message {
	return msg(3036, 16, 3, "The database \"%s\" is in warm-standby state (set by executing RESTORE WITH STANDBY) and cannot be backed up until the entire restore sequence is completed.", name)
}

func errNoCurrentBackup(name string) tds.Message {
	return msg(4214, 16, 1, "BACKUP LOG cannot be performed because there is no current database backup.")
}

func errSimpleRecoveryLog(name string) tds.Message {
	return msg(4208, 16, 1, "The statement BACKUP LOG is not allowed while the recovery model is SIMPLE. Use BACKUP DATABASE or change the recovery model using ALTER DATABASE.")
}

func errNotPermittedState(what, state string) tds.Message {
	return msg(5052, 16, 1, "%s is not permitted while a database is in the %s state.", what, state)
}

func errFileInUse(physical, db string) tds.Message {
	return msg(1834, 16, 1, "The file '%s' cannot be overwritten.  It is being used by database '%s'.", physical, db)
}

func errDirLookup(physical string) tds.Message {
	return msg(5133, 16, 1, "Directory lookup for the file \"%s\" failed with the operating system error %s.", physical, osPathNotFound)
}

func errUseMove(logical, physical string) tds.Message {
	return msg(3156, 16, 4, "File '%s' cannot be restored to '%s'. Use WITH MOVE to identify a valid location for the file.", logical, physical)
}

func errPlanProblems() tds.Message {
	return msg(3119, 16, 1, "Problems were identified while planning for the RESTORE statement. Previous messages provide details.")
}

func errLogicalNotInDB(logical, db string) tds.Message {
	return msg(3234, 16, 2, "Logical file '%s' is not part of database '%s'. Use RESTORE FILELISTONLY to list the logical file names.", logical, db)
}

func errDBInUseDrop(name string) tds.Message {
	return msg(3702, 16, 4, "Cannot drop database \"%s\" because it is currently in use.", name)
}

// KILL (reference §3.5).

func errKillOwn() tds.Message { return msg(6104, 16, 1, "Cannot use KILL to kill your own process.") }

func errKillNotActive(spid int64) tds.Message {
	return msg(6106, 16, 2, "Process ID %d is not an active process ID.", spid)
}

func errKillSystem() tds.Message { return msg(6107, 14, 1, "Only user processes can be killed.") }

func errKillPermission() tds.Message {
	return msg(6102, 14, 1, "User does not have permission to use the KILL statement.")
}

func errStatusOnly(spid int64) tds.Message {
	return msg(6120, 16, 1, "Status report cannot be obtained. Rollback operation for Process ID %d is not in progress.", spid)
}

// Log shipping (reference §2.2).

func errNotLSSecondary(db string) tds.Message {
	return msg(32014, 16, 1, "Database %s does not exist as log shipping secondary.", db)
}

// Agent jobs.

func errJobNotFound(name string) tds.Message {
	return msg(14262, 16, 1, "The specified @job_name ('%s') does not exist.", name)
}

func errJobIDNotFound(id string) tds.Message {
	return msg(14262, 16, 1, "The specified @job_id ('%s') does not exist.", id)
}

func errJobRunning(name string) tds.Message {
	return msg(22022, 16, 1, "SQLServerAgent Error: Request to run job %s (from User sa) refused because the job is already running from a request by User sa.", name)
}

func errAgentNotRunning() tds.Message {
	return msg(22022, 16, 1, "SQLServerAgent is not currently running so it cannot be notified of this action.")
}

func errAppLockNotHeld(resource string) tds.Message {
	return msg(1223, 16, 1, "Cannot release the application lock (Database Principal: 'public', Resource: '%s') because it is not currently held.", resource)
}

func errAppLockNoTran() tds.Message {
	return msg(1224, 16, 1, "Cannot acquire the application lock because a transaction is not active. Start a transaction or use @LockOwner = 'Session'.")
}

func errTranCount() tds.Message {
	return msg(3902, 16, 1, "The COMMIT TRANSACTION request has no corresponding BEGIN TRANSACTION.")
}

func errRollbackCount() tds.Message {
	return msg(3903, 16, 1, "The ROLLBACK TRANSACTION request has no corresponding BEGIN TRANSACTION.")
}

func errReadOnlyDB(name string) tds.Message {
	return msg(3906, 16, 1, "Failed to update database \"%s\" because the database is read-only.", name)
}

func errProcArg(proc, param string) tds.Message {
	return msg(201, 16, 4, "Procedure or function '%s' expects parameter '%s', which was not supplied.", proc, param)
}

func errTooManyArgs(proc string) tds.Message {
	return msg(8144, 16, 2, "Procedure or function %s has too many arguments specified.", proc)
}

func errUnknownParam(param, proc string) tds.Message {
	return msg(8145, 16, 2, "%s is not a parameter for procedure %s.", param, proc)
}

func errDivideByZero() tds.Message {
	return msg(8134, 16, 1, "Divide by zero error encountered.")
}

func info(number int32, format string, args ...any) tds.Message {
	// SQL Server sends severity 10 messages with class 0 (tds-server.md §6.4).
	return msg(number, 0, 1, format, args...)
}
