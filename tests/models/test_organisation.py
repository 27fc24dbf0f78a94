import pytest
from sqlalchemy.exc import IntegrityError

from fundtracker.core.extensions import db
from fundtracker.models import bin_is_valid
from tests import factories


@pytest.mark.parametrize("value", ["971240001315", "940140000385"])
def test_real_bins_are_valid(value):
    assert bin_is_valid(value)


@pytest.mark.parametrize(
    "value",
    [
        "971240001316",
        "97124000131",
        "9712400013150",
        "97124000131a",
        "",
        "９７１２４０００１３１５",
    ],
)
def test_malformed_bins_are_refused(value):
    assert not bin_is_valid(value)


def test_open_data_identifier():
    organisation = factories.OrganisationFactory(bin="971240001315")
    assert organisation.identifier == "KZ-BIN-971240001315"


def test_bin_is_unique_in_the_database():
    factories.OrganisationFactory(bin="971240001315")
    with pytest.raises(IntegrityError):
        factories.OrganisationFactory(bin="971240001315")
    db.session.rollback()
