-- 0016: more programs. Cocaine Anonymous and the other fellowships that
-- feeds list fell into 'other'; each now has its own code
-- (meeting.Programs).

ALTER TABLE meetings DROP CONSTRAINT meetings_program_check;
ALTER TABLE meetings ADD CONSTRAINT meetings_program_check CHECK (program IN ('aa','na','smart','al-anon','celebrate-recovery',
    'ca','cma','oa','slaa','ga','coda','aca','da','ma','ha','nar-anon','alateen','recovery-dharma','refuge-recovery','lifering','wfs',
    'activity','other'));

COMMENT ON COLUMN meetings.program IS
    'The fellowship: aa, na, smart, al-anon, celebrate-recovery, ca (Cocaine Anonymous), cma (Crystal Meth), oa (Overeaters), slaa, ga (Gamblers), coda (Co-Dependents), aca (Adult Children of Alcoholics), da (Debtors), ma (Marijuana), ha (Heroin), nar-anon, alateen, recovery-dharma, refuge-recovery, lifering, wfs (Women for Sobriety), activity, other.';
