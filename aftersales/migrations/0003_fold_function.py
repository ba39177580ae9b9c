"""The text-folding function behind accent-insensitive search (see aftersales.search)."""

from django.db import migrations

FOLD_FUNCTION = r"""
CREATE OR REPLACE FUNCTION aftersales_fold(value text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT regexp_replace(
        lower(replace(replace(translate(value,
            'ÀÁÂÃÄÅÇÈÉÊËÌÍÎÏÑÒÓÔÕÖÙÚÛÜÝàáâãäåçèéêëìíîïñòóôõöùúûüýÿĀāĂăĄąĆćĈĉĊċČčĎďĒēĔĕĖėĘęĚěĜĝĞğĠġĢģĤĥĨĩĪīĬĭĮįİĴĵĶķĹĺĻļĽľŃńŅņŇňŌōŎŏŐőŔŕŖŗŘřŚśŜŝŞşŠšŢţŤťŨũŪūŬŭŮůŰűŲųŴŵŶŷŸŹźŻżŽžØøŁłĐđÆæŒœÞþÐðABCDEFGHIJKLMNOPQRSTUVWXYZ',
            'aaaaaaceeeeiiiinooooouuuuyaaaaaaceeeeiiiinooooouuuuyyaaaaaaccccccccddeeeeeeeeeegggggggghhiiiiiiiiijjkkllllllnnnnnnoooooorrrrrrssssssssttttuuuuuuuuuuuuwwyyyzzzzzzoollddaaoottddabcdefghijklmnopqrstuvwxyz'),
            'ß', 'ss'), 'ẞ', 'ss')),
        '([aou])e', '\1', 'g')
$$;
"""


class Migration(migrations.Migration):
    dependencies = [("aftersales", "0002_roles")]

    operations = [
        migrations.RunSQL(FOLD_FUNCTION, "DROP FUNCTION IF EXISTS aftersales_fold(text);"),
    ]
